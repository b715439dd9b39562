package phone

import "errors"

// Errors cross the boundary (the window's rejected promise, the
// integration API's JSON-RPC error) with a stable code beside the
// reference's English message: the frontend and integrations map codes,
// never the words. Each sentinel carries its code where it is declared
// (coded); a failed login carries its own (LoginError).

// Coded is an error with a stable code.
type Coded interface {
	error
	Code() string
}

// codedError is a sentinel error and its code.
type codedError struct{ code, msg string }

func (e *codedError) Error() string { return e.msg }
func (e *codedError) Code() string  { return e.code }

// coded declares a sentinel error with its code (lower-case words joined
// by hyphens; a code, once given, is never changed: integrations rely on it).
func coded(code, msg string) error {
	e := &codedError{code: code, msg: msg}
	declared = append(declared, e)
	return e
}

// declared are the package's coded sentinels, in declaration order (their
// uniqueness is tested: integrations match the codes).
var declared []*codedError

// ErrorCode is the code of the first coded error in err's chain, or "".
func ErrorCode(err error) string {
	var c Coded
	if errors.As(err, &c) {
		return c.Code()
	}
	return ""
}

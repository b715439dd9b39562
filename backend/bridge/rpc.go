package bridge

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"reflect"
	"runtime/debug"
	"unicode"
	"unicode/utf8"
)

// JSON-RPC 2.0 error codes (the specification's, and one for the phone's
// own rejections, in the range it leaves to servers).
const (
	codeParse          = -32700
	codeInvalidRequest = -32600
	codeNoMethod       = -32601
	codeInvalidParams  = -32602
	codeInternal       = -32603
	// CodeRejected: the method ran and rejected, as the element's promise
	// would; the message is the reference's.
	CodeRejected = -32000
)

type request struct {
	JSONRPC string          `json:"jsonrpc"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
	ID      json.RawMessage `json:"id"`
}

type response struct {
	JSONRPC string          `json:"jsonrpc"`
	Result  any             `json:"result"`
	ID      json.RawMessage `json:"id"`
}

type errorResponse struct {
	JSONRPC string          `json:"jsonrpc"`
	Error   rpcError        `json:"error"`
	ID      json.RawMessage `json:"id"`
}

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"`
}

type notification struct {
	JSONRPC string `json:"jsonrpc"`
	Method  string `json:"method"`
	Params  event  `json:"params"`
}

type event struct {
	Name   string `json:"name"`
	Detail any    `json:"detail,omitempty"`
}

var errorType = reflect.TypeOf((*error)(nil)).Elem()

// methodSet is the callable methods of one value.
type methodSet struct {
	methods map[string]boundMethod
	// errData, when set, gives a rejection's error data (its stable code).
	errData func(error) any
}

// boundMethod is a method with the value it is called on.
type boundMethod struct {
	recv reflect.Value
	m    reflect.Method
}

func newMethodSet(v any) (*methodSet, error) {
	ms := &methodSet{methods: map[string]boundMethod{}}
	if err := ms.add(v); err != nil {
		return nil, err
	}
	return ms, nil
}

// with is a new set: these methods and v's; a name in both is an error
// (which surface serves it would depend on the order).
func (ms *methodSet) with(v any) (*methodSet, error) {
	both := &methodSet{methods: maps.Clone(ms.methods), errData: ms.errData}
	if err := both.add(v); err != nil {
		return nil, err
	}
	return both, nil
}

func (ms *methodSet) add(v any) error {
	rv := reflect.ValueOf(v)
	t := rv.Type()
	n := 0
	for i := 0; i < t.NumMethod(); i++ {
		m := t.Method(i)
		// Like Wails: results are (), (T), (error) or (T, error).
		if k := m.Type.NumOut(); k > 2 || k == 2 && m.Type.Out(1) != errorType {
			continue
		}
		name := ReferenceName(m.Name)
		if _, dup := ms.methods[name]; dup {
			return fmt.Errorf("bridge: %s is on two surfaces (%T and another)", name, v)
		}
		ms.methods[name] = boundMethod{recv: rv, m: m}
		n++
	}
	if n == 0 {
		return fmt.Errorf("bridge: %T has no methods to serve", v)
	}
	return nil
}

func errorReply(id json.RawMessage, code int, msg string) []byte {
	return errorReplyData(id, code, msg, nil)
}

// errorReplyData is errorReply with the error's data (JSON-RPC 2.0 §5.1).
func errorReplyData(id json.RawMessage, code int, msg string, data any) []byte {
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	b, _ := json.Marshal(errorResponse{JSONRPC: "2.0", Error: rpcError{Code: code, Message: msg, Data: data}, ID: id})
	return b
}

// handle answers one message (a request, a notification or a batch); nil
// when there is nothing to send back.
func (ms *methodSet) handle(data []byte, log *slog.Logger) []byte {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var batch []json.RawMessage
		if err := json.Unmarshal(trimmed, &batch); err != nil {
			return errorReply(nil, codeParse, "parse error: "+err.Error())
		}
		if len(batch) == 0 {
			return errorReply(nil, codeInvalidRequest, "invalid request: empty batch")
		}
		var out []json.RawMessage
		for _, one := range batch {
			if r := ms.handleOne(one, log); r != nil {
				out = append(out, r)
			}
		}
		if len(out) == 0 {
			return nil
		}
		b, _ := json.Marshal(out)
		return b
	}
	return ms.handleOne(trimmed, log)
}

func (ms *methodSet) handleOne(data []byte, log *slog.Logger) []byte {
	var req request
	if err := json.Unmarshal(data, &req); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return errorReply(nil, codeParse, "parse error: "+err.Error())
		}
		return errorReply(nil, codeInvalidRequest, "invalid request: "+err.Error())
	}
	if req.JSONRPC != "2.0" || req.Method == "" {
		return errorReply(req.ID, codeInvalidRequest, `invalid request: want "jsonrpc": "2.0" and a method`)
	}
	notify := len(req.ID) == 0
	if id := bytes.TrimSpace(req.ID); len(id) > 0 && id[0] != '"' && id[0] != '-' && (id[0] < '0' || id[0] > '9') && string(id) != "null" {
		return errorReply(nil, codeInvalidRequest, "invalid request: id must be a string, a number or null")
	}
	result, code, msg, errData := ms.call(req.Method, req.Params, log)
	if notify {
		return nil
	}
	if code != 0 {
		return errorReplyData(req.ID, code, msg, errData)
	}
	b, err := json.Marshal(response{JSONRPC: "2.0", Result: result, ID: req.ID})
	if err != nil {
		return errorReply(req.ID, codeInternal, "internal error: encode the result: "+err.Error())
	}
	return b
}

// call runs one method with its positional arguments. Missing trailing
// arguments are their zero values, as when the element leaves an optional
// one out.
func (ms *methodSet) call(name string, params json.RawMessage, log *slog.Logger) (result any, code int, msg string, data any) {
	bm, ok := ms.methods[name]
	if !ok {
		return nil, codeNoMethod, fmt.Sprintf("method not found: %s", name), nil
	}
	m := bm.m
	var raw []json.RawMessage
	if p := bytes.TrimSpace(params); len(p) > 0 && string(p) != "null" {
		if p[0] != '[' {
			return nil, codeInvalidParams, "invalid params: give the arguments as an array, in order", nil
		}
		if err := json.Unmarshal(p, &raw); err != nil {
			return nil, codeInvalidParams, "invalid params: " + err.Error(), nil
		}
	}
	want := m.Type.NumIn() - 1 // the receiver
	if len(raw) > want {
		return nil, codeInvalidParams, fmt.Sprintf("invalid params: %s takes %d arguments, got %d", name, want, len(raw)), nil
	}
	args := []reflect.Value{bm.recv}
	for i := 0; i < want; i++ {
		t := m.Type.In(i + 1)
		v := reflect.New(t)
		if i < len(raw) && string(bytes.TrimSpace(raw[i])) != "null" {
			// Unknown fields are ignored, as by Wails' bindings: both
			// transports take what the element sends.
			if err := json.Unmarshal(raw[i], v.Interface()); err != nil {
				return nil, codeInvalidParams, fmt.Sprintf("invalid params: argument %d of %s: %v", i+1, name, err), nil
			}
		}
		args = append(args, v.Elem())
	}
	defer func() {
		if p := recover(); p != nil {
			log.Error("bridge: method panicked", "method", name, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			result, code, msg, data = nil, codeInternal, "internal error in "+name, nil
		}
	}()
	out := m.Func.Call(args)
	switch len(out) {
	case 0:
		return nil, 0, "", nil
	case 1:
		if m.Type.Out(0) == errorType {
			if err, _ := out[0].Interface().(error); err != nil {
				return nil, CodeRejected, err.Error(), ms.dataOf(err)
			}
			return nil, 0, "", nil
		}
		return out[0].Interface(), 0, "", nil
	default:
		if err, _ := out[1].Interface().(error); err != nil {
			return nil, CodeRejected, err.Error(), ms.dataOf(err)
		}
		return out[0].Interface(), 0, "", nil
	}
}

func (ms *methodSet) dataOf(err error) any {
	if ms.errData == nil {
		return nil
	}
	return ms.errData(err)
}

// ReferenceName is the name a Go method is served under: the reference's
// own spelling, its first letter in lower case (AnswerCall is answerCall,
// UpdateJWT updateJWT). Names are case-sensitive, as the reference's are:
// the Go spelling is "method not found".
func ReferenceName(goName string) string {
	r, n := utf8.DecodeRuneInString(goName)
	return string(unicode.ToLower(r)) + goName[n:]
}

package bridge

import (
	"encoding/json"
	"log/slog"
	"testing"
)

// FuzzRPC: what a client sends the bridge (requests, batches, garbage)
// never panics it, and every answer is JSON-RPC 2.0: a result or an error
// with a code, never both.
func FuzzRPC(f *testing.F) {
	for _, s := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"hello","params":[{"name":"Ada"}]}`,
		`{"jsonrpc":"2.0","id":2,"method":"add","params":[2,3]}`,
		`[{"jsonrpc":"2.0","id":1,"method":"nothing"},{"jsonrpc":"2.0","method":"add","params":[1]}]`,
		`{"jsonrpc":"2.0","id":"x","method":"optional","params":["a",null]}`,
		`{"jsonrpc":"2.0","id":3,"method":"panics"}`,
		`[]`, `{`, `null`, `{"jsonrpc":"1.0"}`,
	} {
		f.Add([]byte(s))
	}
	ms, err := newMethodSet(surface{})
	if err != nil {
		f.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	f.Fuzz(func(t *testing.T, data []byte) {
		out := ms.handle(data, log)
		if out == nil {
			return // notifications only: nothing to answer
		}
		var one map[string]json.RawMessage
		var many []map[string]json.RawMessage
		if json.Unmarshal(out, &one) != nil && json.Unmarshal(out, &many) != nil {
			t.Fatalf("answer is not JSON: %s", out)
		}
		if one != nil {
			many = append(many, one)
		}
		for _, a := range many {
			_, hasResult := a["result"]
			_, hasError := a["error"]
			if string(a["jsonrpc"]) != `"2.0"` || hasResult == hasError {
				t.Fatalf("not a JSON-RPC 2.0 answer: %s", out)
			}
		}
	})
}

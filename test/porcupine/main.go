// Command porcupine-check checks key-value histories written by the Raft simulator
// (src/raft/sim) with Porcupine, partitioned per key, and compares the verdicts with what
// the caller expects: every simulator history linearizable, every known-bad one illegal.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/anishathalye/porcupine"
)

type kvInput struct {
	Op       string  `json:"op"`
	Key      string  `json:"key"`
	Value    *string `json:"value"`
	Expected *string `json:"expected"`
}

type kvOutput struct {
	Value   *string `json:"value"`
	Ok      *bool   `json:"ok"`
	Unknown bool    `json:"unknown"`
}

type kvOperation struct {
	ClientID int      `json:"clientId"`
	Input    kvInput  `json:"input"`
	Output   kvOutput `json:"output"`
	Call     int64    `json:"call"`
	Return   *int64   `json:"return"`
}

type historyFile struct {
	Seed       int           `json:"seed"`
	Name       string        `json:"name"`
	Operations []kvOperation `json:"operations"`
}

// state is the register value of one key; absent is distinct from every string.
type state struct {
	present bool
	value   string
}

func strOrAbsent(p *string) state {
	if p == nil {
		return state{}
	}
	return state{true, *p}
}

var kvModel = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string][]porcupine.Operation{}
		var keys []string
		for _, op := range history {
			k := op.Input.(kvInput).Key
			if _, ok := byKey[k]; !ok {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], op)
		}
		sort.Strings(keys)
		out := make([][]porcupine.Operation, 0, len(keys))
		for _, k := range keys {
			out = append(out, byKey[k])
		}
		return out
	},
	Init: func() interface{} { return state{} },
	Step: func(s, in, out interface{}) (bool, interface{}) {
		st := s.(state)
		input := in.(kvInput)
		output := out.(kvOutput)
		switch input.Op {
		case "put":
			return true, strOrAbsent(input.Value)
		case "get":
			if output.Unknown {
				return true, st
			}
			return strOrAbsent(output.Value) == st, st
		case "cas":
			expected := strOrAbsent(input.Expected)
			if output.Unknown {
				if st == expected {
					return true, strOrAbsent(input.Value)
				}
				return true, st
			}
			if output.Ok != nil && *output.Ok {
				return st == expected, strOrAbsent(input.Value)
			}
			return st != expected, st
		}
		return false, st
	},
	DescribeOperation: func(in, out interface{}) string {
		return fmt.Sprintf("%v -> %v", in, out)
	},
}

func toPorcupine(ops []kvOperation) []porcupine.Operation {
	out := make([]porcupine.Operation, 0, len(ops))
	for _, op := range ops {
		ret := int64(math.MaxInt64) // never returned: may take effect at any later point
		if op.Return != nil {
			ret = *op.Return
		}
		out = append(out, porcupine.Operation{ClientId: op.ClientID, Input: op.Input, Call: op.Call, Output: op.Output, Return: ret})
	}
	return out
}

func loadHistories(dir, bad string) ([]historyFile, error) {
	var hs []historyFile
	if dir != "" {
		files, err := filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil {
			return nil, err
		}
		sort.Strings(files)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			var h historyFile
			if err := json.Unmarshal(b, &h); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			if h.Name == "" {
				h.Name = filepath.Base(f)
			}
			hs = append(hs, h)
		}
	}
	if bad != "" {
		b, err := os.ReadFile(bad)
		if err != nil {
			return nil, err
		}
		var corpus []historyFile
		if err := json.Unmarshal(b, &corpus); err != nil {
			return nil, fmt.Errorf("%s: %w", bad, err)
		}
		hs = append(hs, corpus...)
	}
	return hs, nil
}

func main() {
	dir := flag.String("dir", "", "directory of history_<seed>.json files written by the simulator")
	bad := flag.String("bad", "", "JSON array of known-bad histories")
	expect := flag.String("expect", "ok", "expected verdict for every history: ok or illegal")
	timeout := flag.Duration("timeout", 10*time.Second, "Porcupine time budget per history")
	flag.Parse()
	hs, err := loadHistories(*dir, *bad)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	counts := map[porcupine.CheckResult]int{}
	ops := 0
	mismatches := 0
	for _, h := range hs {
		res := porcupine.CheckOperationsTimeout(kvModel, toPorcupine(h.Operations), *timeout)
		counts[res]++
		ops += len(h.Operations)
		got := "ok"
		if res == porcupine.Illegal {
			got = "illegal"
		} else if res == porcupine.Unknown {
			got = "unknown"
		}
		if got != *expect && got != "unknown" {
			mismatches++
			fmt.Printf("MISMATCH %s: porcupine says %s, expected %s\n", h.Name, got, *expect)
		}
	}
	fmt.Printf("porcupine: %d histories, %d operations: %d ok, %d illegal, %d unknown (timeout); %d mismatches with expected %q\n",
		len(hs), ops, counts[porcupine.Ok], counts[porcupine.Illegal], counts[porcupine.Unknown], mismatches, *expect)
	if mismatches > 0 || len(hs) == 0 {
		os.Exit(1)
	}
}

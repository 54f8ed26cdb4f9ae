package main

import "testing"

func TestOptionsRefuseNonLoopbackAndUnboundedRuns(t *testing.T) {
	base := options{base: "http://127.0.0.1:8090", inbox: "abc", conns: 10, rate: 10, duration: 1e9, dialRate: 10}
	if err := base.check(); err != nil {
		t.Fatalf("valid options refused: %v", err)
	}
	for name, mutate := range map[string]func(*options){
		"public address":  func(o *options) { o.base = "http://93.184.216.34" },
		"private address": func(o *options) { o.base = "http://10.0.0.5:8090" },
		"too many conns":  func(o *options) { o.conns = 100000 },
		"endless run":     func(o *options) { o.duration = 3600e9 },
		"no inbox":        func(o *options) { o.inbox = "" },
	} {
		o := base
		mutate(&o)
		if o.check() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

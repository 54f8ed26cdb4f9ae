//go:build unix

package nlp

import (
	"syscall"
	"testing"
	"time"
)

var sink Analysis

// BenchmarkAnalyze analyzes support messages of about 100 characters in each
// variant. Besides wall time it reports the process's CPU time per message
// (cpu-ns/op, garbage collection included), which a busy machine disturbs
// much less.
func BenchmarkAnalyze(b *testing.B) {
	messages := []string{
		"আমার অর্ডার এখনও আসেনি, খুব রাগ হচ্ছে। তিন দিন হয়ে গেল, কেউ উত্তর দিচ্ছে না! কবে পাবো?",
		"मेरा ऑर्डर अभी तक नहीं आया, बहुत गुस्सा आ रहा है। कृपया जल्दी बताइए कि कब तक मिलेगा, तीन दिन हो गए",
		"mera order abhi tak nahi aaya yaar, bahut gussa aa raha hai, jaldi batao please kab milega",
		"amar order ekhono ashe ni, khub rag hocche. kobe pabo bolen to? taka ferot chai ekhoni",
		"I have been waiting for my refund for a week now, this is really frustrating!! Please help",
	}
	var chars int
	for _, m := range messages {
		chars += len([]rune(m))
	}
	b.ReportAllocs()
	start := processCPU()
	n := 0
	for b.Loop() {
		sink = Analyze(messages[n%len(messages)])
		n++
	}
	b.ReportMetric(float64(processCPU()-start)/float64(n), "cpu-ns/op")
	b.ReportMetric(float64(chars)/float64(len(messages)), "chars/msg")
}

// processCPU returns the user and system CPU time the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

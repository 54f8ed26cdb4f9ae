package core

import "testing"

// A swap notification's body reads as a sentence in email and push.
func TestSwapWords(t *testing.T) {
	for body, want := range map[string]string{
		"offer phone 2026-12-12 22:00–06:00":     "Amina offers you the phone shift of 2026-12-12, 22:00–06:00",
		"take chat 2026-12-12 09:00–17:00":       "Amina asks to take your chat shift of 2026-12-12, 09:00–17:00",
		"recorded social 2026-12-12 09:00–17:00": "Amina swapped the social shift of 2026-12-12, 09:00–17:00",
		"declined chat 2026-12-12 09:00–17:00":   "Amina declined the swap of the chat shift of 2026-12-12, 09:00–17:00",
		"something else":                         "something else",
	} {
		if got := swapWords("Amina", body); got != want {
			t.Errorf("swapWords(%q) = %q, want %q", body, got, want)
		}
	}
}

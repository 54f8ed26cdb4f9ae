package core

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/textnorm"
)

// The limits on text that enters Sahay, the same whichever way it comes in:
// the API, the API channel, the website widget or the command line. Names
// are counted in characters, so a Bengali or Hindi name gets as many as an
// English one; message text is counted in bytes, as stored.
const (
	// MaxNameChars is the longest name of a contact, user, account, inbox,
	// team, saved view or API token.
	MaxNameChars = 200
	// MaxLabelChars is the longest label name.
	MaxLabelChars = 50
	// MaxEmailChars is the longest email address (RFC 5321's path limit).
	MaxEmailChars = 254
	// MaxPhoneChars is the longest phone number.
	MaxPhoneChars = 50
	// MaxDescriptionChars is the longest description of a team or label.
	MaxDescriptionChars = 500
	// MaxIdentifierBytes is the longest id a channel gives a contact or a
	// message.
	MaxIdentifierBytes = 255
	// MaxContentBytes is the longest message or canned response.
	MaxContentBytes = 64 << 10
	// MaxAttributes is the most custom attributes a contact keeps.
	MaxAttributes = 100
	// MaxAttributeNameChars and MaxAttributeValueChars bound one custom
	// attribute.
	MaxAttributeNameChars  = 100
	MaxAttributeValueChars = 1000
)

// checkUTF8 refuses text that is not UTF-8. JSON bodies are checked before
// they are decoded (the decoder would turn bad bytes into U+FFFD); this
// catches the other ways in: form fields, command-line arguments.
func checkUTF8(field, v string) error {
	if !utf8.ValidString(v) {
		return sahay.Invalid("%s is not valid UTF-8", field)
	}
	return nil
}

// cleanLine checks a one-line value (a name, an email address, an
// identifier): valid UTF-8 without control characters. It returns v
// trimmed and NFC-normalized.
func cleanLine(field, v string, maxChars int) (string, error) {
	if err := checkUTF8(field, v); err != nil {
		return "", err
	}
	v = textnorm.NFC(strings.TrimSpace(v))
	if r, ok := firstControl(v, ""); ok {
		return "", sahay.Invalid("%s contains the control character %s; names are one line of text", field, runeName(r))
	}
	if n := utf8.RuneCountInString(v); n > maxChars {
		return "", sahay.Invalid("%s is %d characters; at most %d", field, n, maxChars)
	}
	return v, nil
}

// cleanName is [cleanLine] for a value that must not be blank.
func cleanName(field, v string, maxChars int) (string, error) {
	v, err := cleanLine(field, v, maxChars)
	if err == nil && v == "" {
		err = sahay.Invalid("%s is required", field)
	}
	return v, err
}

// CleanText checks the text of a message or canned response: valid UTF-8,
// no control characters but newlines and tabs, at most maxBytes. Carriage
// returns become newlines. It returns v trimmed and NFC-normalized; the
// caller decides whether blank is allowed. Core applies it to everything it
// receives; a channel calls it first only to name the field its own way.
func CleanText(field, v string, maxBytes int) (string, error) {
	if err := checkUTF8(field, v); err != nil {
		return "", err
	}
	v = strings.ReplaceAll(v, "\r\n", "\n")
	v = strings.ReplaceAll(v, "\r", "\n")
	v = textnorm.NFC(strings.TrimSpace(v))
	if r, ok := firstControl(v, "\n\t"); ok {
		return "", sahay.Invalid("%s contains the control character %s; only newlines and tabs are allowed", field, runeName(r))
	}
	if len(v) > maxBytes {
		return "", sahay.Errorf(sahay.ETOOLARGE, "%s is longer than %d bytes", field, maxBytes)
	}
	return v, nil
}

// checkAttributes checks a contact's custom attributes: at most
// [MaxAttributes] names of one line, each with a string, number, boolean or
// null (which removes it).
func checkAttributes(attrs map[string]any) error {
	if len(attrs) > MaxAttributes {
		return sahay.Invalid("at most %d custom attributes", MaxAttributes)
	}
	for k, v := range attrs {
		name, err := cleanLine("an attribute name", k, MaxAttributeNameChars)
		if err != nil {
			return err
		}
		if name == "" || name != k {
			return sahay.Invalid("attribute names are 1 to %d characters without spaces around them", MaxAttributeNameChars)
		}
		switch val := v.(type) {
		case string:
			if _, err := CleanText("attributes."+k, val, 4*MaxAttributeValueChars); err != nil {
				return err
			}
			if utf8.RuneCountInString(val) > MaxAttributeValueChars {
				return sahay.Invalid("attributes.%s is longer than %d characters", k, MaxAttributeValueChars)
			}
		case float64, bool, nil:
		default:
			return sahay.Invalid("attributes.%s must be a string, number, boolean or null", k)
		}
	}
	return nil
}

// firstControl returns the first control character of v that is not in
// allowed.
func firstControl(v, allowed string) (rune, bool) {
	for _, r := range v {
		if unicode.IsControl(r) && !strings.ContainsRune(allowed, r) {
			return r, true
		}
	}
	return 0, false
}

func runeName(r rune) string { return fmt.Sprintf("U+%04X", r) }

// checkIdentifier checks an id a channel or a site gives a contact or a
// message: valid UTF-8 of at most [MaxIdentifierBytes], without control
// characters. Ids are compared as given, so nothing is trimmed.
func checkIdentifier(field, v string) error {
	if err := checkUTF8(field, v); err != nil {
		return err
	}
	if len(v) > MaxIdentifierBytes {
		return sahay.Invalid("%s is longer than %d bytes", field, MaxIdentifierBytes)
	}
	if r, ok := firstControl(v, ""); ok {
		return sahay.Invalid("%s contains the control character %s", field, runeName(r))
	}
	return nil
}

var languagePattern = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)

// checkLanguages checks a list of language tags such as en, bn or hi-Latn.
func checkLanguages(field string, tags []string) error {
	if len(tags) > 20 {
		return sahay.Invalid("%s lists at most 20 languages", field)
	}
	for _, t := range tags {
		if !languagePattern.MatchString(t) {
			return sahay.Invalid("%s: %q is not a language tag like en, bn or hi", field, t)
		}
	}
	return nil
}

// checkSettings checks the text in an inbox's settings, whichever channel
// reads them: the strings follow the rules of message text.
func checkSettings(raw json.RawMessage) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return sahay.Invalid("settings must be a JSON object")
	}
	return checkStrings("settings", v)
}

func checkStrings(field string, v any) error {
	switch v := v.(type) {
	case string:
		_, err := CleanText(field, v, MaxContentBytes)
		return err
	case []any:
		for i, e := range v {
			if err := checkStrings(fmt.Sprintf("%s[%d]", field, i), e); err != nil {
				return err
			}
		}
	case map[string]any:
		for k, e := range v {
			if err := checkStrings(field+"."+k, e); err != nil {
				return err
			}
		}
	}
	return nil
}

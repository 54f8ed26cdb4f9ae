package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/api"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/channel/meta/metalogin"
	"github.com/sahayhq/sahay/internal/channel/widget"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/nlp"
	"github.com/sahayhq/sahay/internal/store"
)

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

func openAPI(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(api.OpenAPIDocument(), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return doc
}

// operations returns the document's operations by "METHOD path".
func operations(t *testing.T, doc map[string]any) map[string]map[string]any {
	t.Helper()
	paths, ok := doc["paths"].(map[string]any)
	if !ok {
		t.Fatal("openapi.json has no paths")
	}
	ops := map[string]map[string]any{}
	for path, v := range paths {
		item, _ := v.(map[string]any)
		for _, m := range httpMethods {
			if op, ok := item[m].(map[string]any); ok {
				ops[strings.ToUpper(m)+" "+path] = op
			}
		}
	}
	return ops
}

// TestOpenAPIMatchesRoutes keeps the OpenAPI document and the routes the
// program serves under /api/ identical, wherever they are registered: every
// route documented, nothing documented that is not served, and each
// documented as public only if it answers without credentials.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	t.Parallel()
	doc := openAPI(t)
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	ops := operations(t, doc)
	s := apitest.NewServer(t)
	served := map[string]bool{}
	for _, pattern := range s.App.Patterns() {
		method, path, ok := strings.Cut(pattern, " ")
		if !ok {
			method, path = "", pattern
		}
		// Platforms' webhooks are documented at the inbox's address; the
		// sub-paths below it are the adapters' own.
		webhook := strings.HasPrefix(path, "/webhooks/") && !strings.HasSuffix(path, "...}")
		if !webhook && (!strings.HasPrefix(path, "/api/") || pattern == "/api/") {
			continue
		}
		if method == "" {
			t.Errorf("route %s answers every method", pattern)
			continue
		}
		if served[pattern] {
			t.Errorf("route %s is registered twice", pattern)
		}
		served[pattern] = true
	}
	for key := range served {
		if _, ok := ops[key]; !ok {
			t.Errorf("%s is served but not documented", key)
		}
	}
	for key := range ops {
		if !served[key] {
			t.Errorf("%s is documented but not served", key)
		}
	}
	if len(ops) != len(served) {
		t.Errorf("%d documented operations, %d routes", len(ops), len(served))
	}

	// Public routes say so with an empty security list; the others inherit
	// the document's bearer-or-cookie requirement and refuse a request
	// without credentials before reading anything else.
	for key, op := range ops {
		if !served[key] {
			continue
		}
		sec, overridden := op["security"].([]any)
		public := overridden && len(sec) == 0
		method, path, _ := strings.Cut(key, " ")
		r := s.Do(t, apitest.Request{Method: method, Path: regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(path, "1")})
		if public && r.Status == http.StatusUnauthorized {
			t.Errorf("%s is documented as public but answers %s", key, r)
		}
		if !public {
			wantError(t, r, http.StatusUnauthorized, sahay.EUNAUTHORIZED)
		}
	}

	pathParam := regexp.MustCompile(`\{([^}]+)\}`)
	operationIDs := map[string]string{}
	tags := map[string]bool{}
	for _, tag := range doc["tags"].([]any) {
		name, _ := tag.(map[string]any)["name"].(string)
		tags[name] = true
	}
	for key, op := range ops {
		for _, field := range []string{"summary", "description", "operationId"} {
			if s, _ := op[field].(string); strings.TrimSpace(s) == "" {
				t.Errorf("%s has no %s", key, field)
			}
		}
		opTags, _ := op["tags"].([]any)
		if len(opTags) == 0 {
			t.Errorf("%s has no tag", key)
		}
		for _, tag := range opTags {
			if name, _ := tag.(string); !tags[name] {
				t.Errorf("%s has tag %v, which the document does not declare", key, tag)
			}
		}
		responses, _ := op["responses"].(map[string]any)
		if len(responses) == 0 {
			t.Errorf("%s has no responses", key)
		}
		clientError := false
		for code, resp := range responses {
			if !regexp.MustCompile(`^[1-5][0-9]{2}$`).MatchString(code) {
				t.Errorf("%s has response %q, not a status code", key, code)
				continue
			}
			if code[0] != '4' && code[0] != '5' {
				continue
			}
			clientError = clientError || code[0] == '4'
			// Every error is the error shape, described once.
			if ref, _ := resp.(map[string]any)["$ref"].(string); !strings.HasPrefix(ref, "#/components/responses/") {
				t.Errorf("%s: response %s is not one of components/responses", key, code)
			}
		}
		if !clientError && key != "GET /api/openapi.json" {
			t.Errorf("%s documents no 4xx response", key)
		}
		if id, _ := op["operationId"].(string); id != "" {
			if other, dup := operationIDs[id]; dup {
				t.Errorf("operationId %s is used by %s and %s", id, other, key)
			}
			operationIDs[id] = key
		}
		path := key[strings.Index(key, " ")+1:]
		method := strings.ToLower(key[:strings.Index(key, " ")])
		declared := map[string]bool{}
		item := doc["paths"].(map[string]any)[path].(map[string]any)
		for _, list := range []any{item["parameters"], item[method].(map[string]any)["parameters"]} {
			params, _ := list.([]any)
			for _, p := range params {
				p := resolve(t, doc, p)
				if p["in"] == "path" {
					declared[p["name"].(string)] = p["required"] == true
				}
			}
		}
		for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
			if !declared[m[1]] {
				t.Errorf("%s: path parameter %s is not declared as a required path parameter", key, m[1])
			}
		}
	}
}

// resolve follows a $ref, if v is one.
func resolve(t *testing.T, doc map[string]any, v any) map[string]any {
	t.Helper()
	m, _ := v.(map[string]any)
	if ref, ok := m["$ref"].(string); ok {
		target, err := pointer(doc, ref)
		if err != "" {
			t.Fatalf("$ref %s: %s", ref, err)
		}
		m, _ = target.(map[string]any)
	}
	return m
}

// pointer resolves a local JSON reference ("#/components/schemas/User").
func pointer(doc map[string]any, ref string) (any, string) {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, "not a reference within the document"
	}
	var cur any = doc
	for _, tok := range strings.Split(rest, "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, "walks into a non-object"
		}
		if cur, ok = m[tok]; !ok {
			return nil, "names nothing"
		}
	}
	return cur, ""
}

// TestOpenAPIReferences checks that every $ref of the document resolves.
func TestOpenAPIReferences(t *testing.T) {
	t.Parallel()
	doc := openAPI(t)
	n := 0
	var walk func(at string, v any)
	walk = func(at string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"]; ok {
				n++
				s, _ := ref.(string)
				if _, err := pointer(doc, s); err != "" {
					t.Errorf("%s: $ref %v %s", at, ref, err)
				}
			}
			for k, child := range v {
				walk(at+"/"+k, child)
			}
		case []any:
			for _, child := range v {
				walk(at+"[]", child)
			}
		}
	}
	walk("#", doc)
	if n == 0 {
		t.Error("the document has no $ref at all")
	}
	schemes, _ := doc["components"].(map[string]any)["securitySchemes"].(map[string]any)
	for _, req := range doc["security"].([]any) {
		for name := range req.(map[string]any) {
			if _, ok := schemes[name]; !ok {
				t.Errorf("security requirement %q has no security scheme", name)
			}
		}
	}
}

// TestOpenAPISchemasMatchTypes checks that each documented schema has
// exactly the JSON fields of the Go type the API encodes or decodes.
func TestOpenAPISchemasMatchTypes(t *testing.T) {
	t.Parallel()
	doc := openAPI(t)
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	types := map[string]any{
		"User": sahay.User{}, "Account": sahay.Account{}, "Team": sahay.Team{}, "Inbox": sahay.Inbox{},
		"ContactIdentity": sahay.ContactIdentity{}, "Contact": sahay.Contact{}, "Conversation": sahay.Conversation{},
		"Attachment": sahay.Attachment{}, "Message": sahay.Message{}, "Email": sahay.Email{}, "EmailAddress": sahay.EmailAddress{}, "Label": sahay.Label{},
		"CannedResponse": sahay.CannedResponse{}, "APIToken": sahay.APIToken{}, "AuditEntry": sahay.AuditEntry{},
		"Event": sahay.Event{}, "Counts": core.Counts{}, "UserInput": core.UserInput{}, "TeamInput": core.TeamInput{},
		"InboxInput": core.InboxInput{}, "LabelInput": core.LabelInput{}, "CannedInput": core.CannedInput{},
		"ContactInput": core.ContactInput{}, "AccountInput": core.AccountInput{}, "ConversationUpdate": core.ConversationUpdate{},
		"BulkUpdate": core.BulkUpdate{}, "NewMessage": core.NewMessage{}, "EmailFields": core.EmailFields{},
		"NewConversation": core.NewConversation{}, "NewConversationResult": api.NewConversationResult{}, "SearchResult": core.SearchResult{},
		"SavedView": sahay.SavedView{}, "ViewFilters": sahay.ViewFilters{}, "ViewInput": core.ViewInput{},
		"Shift": sahay.Shift{}, "ShiftInput": core.ShiftInput{}, "Swap": sahay.Swap{}, "SwapInput": core.SwapInput{}, "Rota": core.Rota{}, "OnNow": core.OnNow{},
		"WidgetEmbed": widget.Embed{}, "WidgetSettings": widget.Settings{}, "Campaign": widget.Campaign{},
		"LiveVisitor": widget.LiveVisitor{}, "CSAT": sahay.CSAT{}, "Order": sahay.Order{}, "BusinessHours": sahay.BusinessHours{},
		"Post": sahay.Post{}, "MessageDetails": sahay.MessageDetails{}, "TemplateUse": sahay.TemplateUse{}, "Location": sahay.Location{},
		"SharedContact": sahay.SharedContact{}, "Choice": sahay.Choice{}, "Story": sahay.Story{}, "Template": sahay.Template{},
		"PrivateReplyRequest": api.PrivateReplyRequest{}, "ModerateRequest": api.ModerateRequest{},
		"KBArticle": store.KBArticle{}, "KBTranslation": store.KBTranslation{}, "KBCategory": store.KBCategory{},
		"KBHit": core.KBHit{}, "KBVersion": store.KBVersionEntry{}, "KBCategoryInput": core.CategoryInput{}, "KBTranslationInput": core.TranslationInput{},
		"MetaConnectStatus": metalogin.Status{}, "MetaConnectRequest": metalogin.StartRequest{}, "MetaConnectURL": metalogin.StartAnswer{},
		"AISettings": core.AISettings{}, "AIInput": core.AIInput{}, "AITestResult": core.AITestResult{},
		"Suggestions": core.Suggestions{}, "Summary": core.Summary{},
		"Analysis": nlp.Analysis{}, "MessageAnalysis": sahay.MessageAnalysis{}, "Mood": sahay.Mood{},
		"AgentBot": core.AgentBot{}, "AgentBotInput": core.AgentBotInput{}, "AgentBotToken": api.AgentBotToken{},
		"MetaConnectChoice": metalogin.Choice{}, "MetaConnectChoices": metalogin.Choices{}, "MetaConnectPick": metalogin.ConnectRequest{},
		"FAQ": sahay.FAQ{}, "FAQInput": core.FAQInput{}, "BotSettings": sahay.BotSettings{}, "BotSettingsInput": core.BotSettingsInput{},
		"BotReply": sahay.BotReply{}, "BotTrial": core.BotTrial{}, "BotTrialResult": core.BotTrialResult{}, "HandoffRequest": api.HandoffRequest{},
		"AutomationRule": store.AutomationRule{}, "AutomationRuleInput": core.AutomationRuleInput{}, "AutomationRun": store.AutomationRun{},
		"AutomationRef": sahay.AutomationRef{}, "Macro": store.Macro{}, "MacroInput": core.MacroInput{}, "Survey": store.Survey{}, "SurveySetting": core.SurveySetting{},
		"ReportSummary": core.ReportSummary{}, "ReportPercentiles": core.Percentiles{}, "ReportCSAT": core.CSATSummary{},
		"SentimentTrend": core.SentimentTrend{}, "SentimentDay": core.SentimentDay{}, "Topics": core.Topics{}, "TopicCount": core.TopicCount{},
		"TopicConversation": store.TopicConversation{}, "LiveView": core.LiveView{}, "WaitingConversation": core.WaitingConversation{},
		"AgentLoad":       core.AgentLoad{},
		"RoutingSettings": sahay.RoutingSettings{}, "RoutingInput": core.RoutingInput{}, "Capacity": sahay.Capacity{},
		"SLAPolicy": store.SLAPolicy{}, "SLAPolicyInput": core.SLAPolicyInput{}, "ConversationSLA": core.ConversationSLA{}, "ConversationClock": core.ConversationClock{},
	}
	for name, v := range types {
		schema, ok := schemas[name].(map[string]any)
		if !ok {
			t.Errorf("schema %s is missing", name)
			continue
		}
		props, _ := schema["properties"].(map[string]any)
		var documented []string
		for p := range props {
			documented = append(documented, p)
		}
		fields := jsonFields(reflect.TypeOf(v))
		slices.Sort(documented)
		slices.Sort(fields)
		if !slices.Equal(documented, fields) {
			t.Errorf("schema %s has properties %v; %T has JSON fields %v", name, documented, v, fields)
		}
	}
}

func jsonFields(typ reflect.Type) []string {
	var out []string
	for f := range typ.Fields() {
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		out = append(out, name)
	}
	return out
}

// TestOpenAPIServed checks that the document is served, without
// credentials, as it is embedded.
func TestOpenAPIServed(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	r := s.Do(t, apitest.Request{Method: http.MethodGet, Path: "/api/openapi.json"})
	if r.Status != http.StatusOK {
		t.Fatalf("GET /api/openapi.json: %s", r)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	if !bytes.Equal(r.Body, api.OpenAPIDocument()) {
		t.Error("the served document differs from the embedded one")
	}
}

// TestOpenAPIErrorCodes checks that the document names every error code
// the API can answer with, so a client generated from it accepts them.
func TestOpenAPIErrorCodes(t *testing.T) {
	doc := openAPI(t)
	schema := resolve(t, doc, map[string]any{"$ref": "#/components/schemas/Error"})
	code := schema["properties"].(map[string]any)["error"].(map[string]any)["properties"].(map[string]any)["code"].(map[string]any)
	var enum []string
	for _, v := range code["enum"].([]any) {
		enum = append(enum, v.(string))
	}
	for _, c := range []string{sahay.EBADREQUEST, sahay.ECONFLICT, sahay.EINTERNAL, sahay.EINVALID, sahay.ENOTFOUND,
		sahay.EUNAUTHORIZED, sahay.EFORBIDDEN, sahay.ETOOLARGE, sahay.ERATELIMITED, sahay.EUPGRADE, sahay.EWINDOW,
		sahay.EPERSONALDATA, sahay.EUNAVAILABLE} {
		if !slices.Contains(enum, c) {
			t.Errorf("the Error schema's codes %q lack %q", enum, c)
		}
	}
}

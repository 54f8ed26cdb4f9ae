package api

import (
	"net/http"

	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
)

// route is one API endpoint. Exactly one of Public and Authed is set.
//
// The routes of a channel (the API channel's inbound messages and
// receipts, the widget's visitor API and agents' endpoints) live in its
// folder under internal/channel and are mounted beside these by the
// composition root (internal/app), through [Server.ChannelMux].
type route struct {
	Method string
	Path   string
	Public httpx.HandlerFunc
	Authed authedFunc
}

func (s *Server) routes() []route {
	return []route{
		{Method: http.MethodGet, Path: "/api/openapi.json", Public: s.openAPI},

		{Method: http.MethodPost, Path: "/api/v1/auth/login", Public: s.login},
		{Method: http.MethodPost, Path: "/api/v1/auth/logout", Public: s.logout},
		{Method: http.MethodGet, Path: "/api/v1/signup", Public: s.signUpAllowed},
		{Method: http.MethodPost, Path: "/api/v1/signup", Public: s.signUp},

		{Method: http.MethodGet, Path: "/api/v1/me", Authed: s.me},
		{Method: http.MethodPatch, Path: "/api/v1/me", Authed: s.updateMe},
		{Method: http.MethodPost, Path: "/api/v1/me/password", Authed: s.changePassword},
		{Method: http.MethodGet, Path: "/api/v1/me/tokens", Authed: s.listTokens},
		{Method: http.MethodPost, Path: "/api/v1/me/tokens", Authed: s.createToken},
		{Method: http.MethodDelete, Path: "/api/v1/me/tokens/{id}", Authed: s.revokeToken},

		{Method: http.MethodGet, Path: "/api/v1/account", Authed: s.getAccount},
		{Method: http.MethodPatch, Path: "/api/v1/account", Authed: s.updateAccount},
		{Method: http.MethodGet, Path: "/api/v1/audit_log", Authed: s.auditLog},
		{Method: http.MethodPost, Path: "/api/v1/analyze", Authed: s.analyze},

		{Method: http.MethodGet, Path: "/api/v1/kb/articles", Authed: s.listKBArticles},
		{Method: http.MethodPost, Path: "/api/v1/kb/articles", Authed: s.createKBArticle},
		{Method: http.MethodGet, Path: "/api/v1/kb/articles/{id}", Authed: s.getKBArticle},
		{Method: http.MethodPatch, Path: "/api/v1/kb/articles/{id}", Authed: s.updateKBArticle},
		{Method: http.MethodDelete, Path: "/api/v1/kb/articles/{id}", Authed: s.deleteKBArticle},
		{Method: http.MethodPut, Path: "/api/v1/kb/articles/{id}/translations/{locale}", Authed: s.saveKBTranslation},
		{Method: http.MethodDelete, Path: "/api/v1/kb/articles/{id}/translations/{locale}", Authed: s.deleteKBTranslation},
		{Method: http.MethodGet, Path: "/api/v1/kb/articles/{id}/versions", Authed: s.listKBVersions},
		{Method: http.MethodPost, Path: "/api/v1/kb/articles/{id}/versions/{version}/restore", Authed: s.restoreKBVersion},
		{Method: http.MethodGet, Path: "/api/v1/kb/categories", Authed: s.listKBCategories},
		{Method: http.MethodPost, Path: "/api/v1/kb/categories", Authed: s.createKBCategory},
		{Method: http.MethodPatch, Path: "/api/v1/kb/categories/{id}", Authed: s.updateKBCategory},
		{Method: http.MethodDelete, Path: "/api/v1/kb/categories/{id}", Authed: s.deleteKBCategory},
		{Method: http.MethodGet, Path: "/api/v1/kb/search", Authed: s.searchKB},
		{Method: http.MethodPost, Path: "/api/v1/kb/preview", Authed: s.previewKB},
		{Method: http.MethodPost, Path: "/api/v1/kb/files", Authed: s.uploadKBFile},
		{Method: http.MethodGet, Path: "/api/v1/kb/settings", Authed: s.getKBSettings},
		{Method: http.MethodPut, Path: "/api/v1/kb/settings", Authed: s.setKBSettings},
		{Method: http.MethodGet, Path: "/api/v1/kb/reports", Authed: s.kbReport},

		{Method: http.MethodGet, Path: "/api/v1/ai", Authed: s.getAI},
		{Method: http.MethodPut, Path: "/api/v1/ai", Authed: s.setAI},
		{Method: http.MethodDelete, Path: "/api/v1/ai", Authed: s.deleteAI},
		{Method: http.MethodPost, Path: "/api/v1/ai/test", Authed: s.testAI},

		{Method: http.MethodGet, Path: "/api/v1/users", Authed: s.listUsers},
		{Method: http.MethodPost, Path: "/api/v1/users", Authed: s.createUser},
		{Method: http.MethodPatch, Path: "/api/v1/users/{id}", Authed: s.updateUser},
		{Method: http.MethodDelete, Path: "/api/v1/users/{id}", Authed: s.deleteUser},
		{Method: http.MethodGet, Path: "/api/v1/users/{id}/capacity", Authed: s.getUserCapacity},
		{Method: http.MethodPut, Path: "/api/v1/users/{id}/capacity", Authed: s.setUserCapacity},
		{Method: http.MethodGet, Path: "/api/v1/routing/capacity", Authed: s.getAccountCapacity},
		{Method: http.MethodPut, Path: "/api/v1/routing/capacity", Authed: s.setAccountCapacity},

		{Method: http.MethodGet, Path: "/api/v1/teams", Authed: s.listTeams},
		{Method: http.MethodPost, Path: "/api/v1/teams", Authed: s.createTeam},
		{Method: http.MethodPatch, Path: "/api/v1/teams/{id}", Authed: s.updateTeam},
		{Method: http.MethodDelete, Path: "/api/v1/teams/{id}", Authed: s.deleteTeam},
		{Method: http.MethodGet, Path: "/api/v1/teams/{id}/routing", Authed: s.getTeamRouting},
		{Method: http.MethodPut, Path: "/api/v1/teams/{id}/routing", Authed: s.setTeamRouting},

		{Method: http.MethodGet, Path: "/api/v1/inboxes", Authed: s.listInboxes},
		{Method: http.MethodPost, Path: "/api/v1/inboxes", Authed: s.createInbox},
		{Method: http.MethodGet, Path: "/api/v1/inboxes/{id}", Authed: s.getInbox},
		{Method: http.MethodPatch, Path: "/api/v1/inboxes/{id}", Authed: s.updateInbox},
		{Method: http.MethodDelete, Path: "/api/v1/inboxes/{id}", Authed: s.deleteInbox},
		{Method: http.MethodGet, Path: "/api/v1/inboxes/{id}/secrets", Authed: s.inboxSecrets},
		{Method: http.MethodPut, Path: "/api/v1/inboxes/{id}/members", Authed: s.setInboxMembers},
		{Method: http.MethodGet, Path: "/api/v1/inboxes/{id}/routing", Authed: s.getInboxRouting},
		{Method: http.MethodPut, Path: "/api/v1/inboxes/{id}/routing", Authed: s.setInboxRouting},
		{Method: http.MethodGet, Path: "/api/v1/inboxes/{id}/survey", Authed: s.getInboxSurvey},
		{Method: http.MethodPut, Path: "/api/v1/inboxes/{id}/survey", Authed: s.setInboxSurvey},
		{Method: http.MethodPost, Path: "/api/v1/inboxes/{id}/test", Authed: s.testInbox},
		{Method: http.MethodGet, Path: "/api/v1/inboxes/{id}/events", Authed: s.listInboxEvents},
		{Method: http.MethodPost, Path: "/api/v1/inboxes/{id}/events/{eid}/retry", Authed: s.retryInboxEvent},
		{Method: http.MethodGet, Path: "/api/v1/inboxes/{id}/templates", Authed: s.listTemplates},
		{Method: http.MethodPost, Path: "/api/v1/inboxes/{id}/templates/sync", Authed: s.syncTemplates},
		{Method: http.MethodGet, Path: "/api/v1/inboxes/{id}/bot", Authed: s.getInboxBot},
		{Method: http.MethodPatch, Path: "/api/v1/inboxes/{id}/bot", Authed: s.updateInboxBot},
		{Method: http.MethodGet, Path: "/api/v1/inboxes/{id}/agent_bot", Authed: s.getAgentBot},
		{Method: http.MethodPut, Path: "/api/v1/inboxes/{id}/agent_bot", Authed: s.setAgentBot},
		{Method: http.MethodDelete, Path: "/api/v1/inboxes/{id}/agent_bot", Authed: s.deleteAgentBot},
		{Method: http.MethodPost, Path: "/api/v1/inboxes/{id}/agent_bot/token", Authed: s.createAgentBotToken},
		{Method: http.MethodGet, Path: "/api/v1/channels", Authed: s.listChannels},

		// Platforms' webhooks: each inbox's adapter verifies its own.
		{Method: http.MethodPost, Path: "/webhooks/{id}", Public: s.webhook},
		{Method: http.MethodGet, Path: "/webhooks/{id}", Public: s.webhook},
		{Method: http.MethodPost, Path: "/webhooks/{id}/{sub...}", Public: s.webhook},
		{Method: http.MethodGet, Path: "/webhooks/{id}/{sub...}", Public: s.webhook},
		{Method: http.MethodGet, Path: "/files/{token}/{name}", Public: s.fileLink},
		{Method: http.MethodGet, Path: "/survey/{token}", Public: s.surveyPage},
		{Method: http.MethodPost, Path: "/survey/{token}", Public: s.surveyPage},
		{Method: http.MethodGet, Path: "/api/v1/csat", Authed: s.listCSAT},

		{Method: http.MethodGet, Path: "/api/v1/contacts", Authed: s.listContacts},
		{Method: http.MethodGet, Path: "/api/v1/contacts/export.csv", Authed: s.exportContacts},
		{Method: http.MethodPost, Path: "/api/v1/contacts", Authed: s.createContact},
		{Method: http.MethodGet, Path: "/api/v1/contacts/{id}", Authed: s.getContact},
		{Method: http.MethodPatch, Path: "/api/v1/contacts/{id}", Authed: s.updateContact},
		{Method: http.MethodDelete, Path: "/api/v1/contacts/{id}", Authed: s.deleteContact},
		{Method: http.MethodPost, Path: "/api/v1/contacts/{id}/merge", Authed: s.mergeContacts},
		{Method: http.MethodGet, Path: "/api/v1/contacts/{id}/conversations", Authed: s.contactConversations},
		{Method: http.MethodGet, Path: "/api/v1/contacts/{id}/orders", Authed: s.contactOrders},

		{Method: http.MethodGet, Path: "/api/v1/conversations", Authed: s.listConversations},
		{Method: http.MethodPost, Path: "/api/v1/conversations", Authed: s.startConversation},
		{Method: http.MethodGet, Path: "/api/v1/conversations/counts", Authed: s.conversationCounts},
		{Method: http.MethodGet, Path: "/api/v1/conversations/export.csv", Authed: s.exportConversations},
		{Method: http.MethodPost, Path: "/api/v1/conversations/bulk", Authed: s.bulkConversations},
		{Method: http.MethodGet, Path: "/api/v1/conversations/{id}", Authed: s.getConversation},
		{Method: http.MethodPatch, Path: "/api/v1/conversations/{id}", Authed: s.updateConversation},
		{Method: http.MethodPut, Path: "/api/v1/conversations/{id}/labels", Authed: s.setLabels},
		{Method: http.MethodGet, Path: "/api/v1/conversations/{id}/csat", Authed: s.conversationCSAT},
		{Method: http.MethodPost, Path: "/api/v1/conversations/{id}/merge", Authed: s.mergeConversations},
		{Method: http.MethodGet, Path: "/api/v1/conversations/{id}/messages", Authed: s.listMessages},
		{Method: http.MethodPost, Path: "/api/v1/conversations/{id}/messages", Authed: s.postMessage},
		{Method: http.MethodPost, Path: "/api/v1/conversations/{id}/typing", Authed: s.agentTyping},
		{Method: http.MethodPost, Path: "/api/v1/conversations/{id}/seen", Authed: s.agentSeen},
		{Method: http.MethodPost, Path: "/api/v1/conversations/{id}/private_reply", Authed: s.privateReply},
		{Method: http.MethodPost, Path: "/api/v1/conversations/{id}/calls", Authed: s.startCall},
		{Method: http.MethodPost, Path: "/api/v1/conversations/{id}/suggestions", Authed: s.suggestReplies},
		{Method: http.MethodPost, Path: "/api/v1/conversations/{id}/summary", Authed: s.summarize},
		{Method: http.MethodPost, Path: "/api/v1/conversations/{id}/handoff", Authed: s.handOff},
		{Method: http.MethodPost, Path: "/api/v1/conversations/{id}/macros/{macro_id}/run", Authed: s.runMacro},
		{Method: http.MethodPost, Path: "/api/v1/messages/{id}/retry", Authed: s.retryMessage},
		{Method: http.MethodPost, Path: "/api/v1/messages/{id}/moderate", Authed: s.moderateMessage},
		{Method: http.MethodGet, Path: "/api/v1/attachments/{id}", Authed: s.getAttachment},

		{Method: http.MethodGet, Path: "/api/v1/views", Authed: s.listViews},
		{Method: http.MethodPost, Path: "/api/v1/views", Authed: s.createView},
		{Method: http.MethodGet, Path: "/api/v1/views/{id}", Authed: s.getView},
		{Method: http.MethodPatch, Path: "/api/v1/views/{id}", Authed: s.updateView},
		{Method: http.MethodDelete, Path: "/api/v1/views/{id}", Authed: s.deleteView},

		{Method: http.MethodGet, Path: "/api/v1/rota", Authed: s.getRota},
		{Method: http.MethodPost, Path: "/api/v1/rota/shifts", Authed: s.createShift},
		{Method: http.MethodDelete, Path: "/api/v1/rota/shifts/{id}", Authed: s.deleteShift},
		{Method: http.MethodPost, Path: "/api/v1/rota/swaps", Authed: s.requestSwap},
		{Method: http.MethodPost, Path: "/api/v1/rota/swaps/{id}/accept", Authed: s.decideSwap((*core.Service).AcceptSwap)},
		{Method: http.MethodPost, Path: "/api/v1/rota/swaps/{id}/decline", Authed: s.decideSwap((*core.Service).DeclineSwap)},
		{Method: http.MethodPost, Path: "/api/v1/rota/swaps/{id}/cancel", Authed: s.decideSwap((*core.Service).CancelSwap)},

		{Method: http.MethodGet, Path: "/api/v1/labels", Authed: s.listLabels},
		{Method: http.MethodPost, Path: "/api/v1/labels", Authed: s.createLabel},
		{Method: http.MethodPatch, Path: "/api/v1/labels/{id}", Authed: s.updateLabel},
		{Method: http.MethodDelete, Path: "/api/v1/labels/{id}", Authed: s.deleteLabel},

		{Method: http.MethodGet, Path: "/api/v1/canned_responses", Authed: s.listCanned},
		{Method: http.MethodPost, Path: "/api/v1/canned_responses", Authed: s.createCanned},
		{Method: http.MethodPatch, Path: "/api/v1/canned_responses/{id}", Authed: s.updateCanned},
		{Method: http.MethodDelete, Path: "/api/v1/canned_responses/{id}", Authed: s.deleteCanned},

		{Method: http.MethodGet, Path: "/api/v1/macros", Authed: s.listMacros},
		{Method: http.MethodPost, Path: "/api/v1/macros", Authed: s.createMacro},
		{Method: http.MethodGet, Path: "/api/v1/macros/{id}", Authed: s.getMacro},
		{Method: http.MethodPatch, Path: "/api/v1/macros/{id}", Authed: s.updateMacro},
		{Method: http.MethodDelete, Path: "/api/v1/macros/{id}", Authed: s.deleteMacro},
		{Method: http.MethodGet, Path: "/api/v1/sla_policies", Authed: s.listSLAPolicies},
		{Method: http.MethodPost, Path: "/api/v1/sla_policies", Authed: s.createSLAPolicy},
		{Method: http.MethodGet, Path: "/api/v1/sla_policies/{id}", Authed: s.getSLAPolicy},
		{Method: http.MethodPatch, Path: "/api/v1/sla_policies/{id}", Authed: s.updateSLAPolicy},
		{Method: http.MethodDelete, Path: "/api/v1/sla_policies/{id}", Authed: s.deleteSLAPolicy},
		{Method: http.MethodGet, Path: "/api/v1/conversations/{id}/sla", Authed: s.conversationSLA},
		{Method: http.MethodGet, Path: "/api/v1/sla_clocks", Authed: s.slaClocks},

		{Method: http.MethodGet, Path: "/api/v1/reports/summary", Authed: s.reportSummary},
		{Method: http.MethodGet, Path: "/api/v1/reports/summary.csv", Authed: s.reportSummary},
		{Method: http.MethodGet, Path: "/api/v1/reports/series", Authed: s.reportSeries},
		{Method: http.MethodGet, Path: "/api/v1/reports/series.csv", Authed: s.reportSeries},
		{Method: http.MethodGet, Path: "/api/v1/reports/heatmap", Authed: s.reportHeatmap},
		{Method: http.MethodGet, Path: "/api/v1/reports/heatmap.csv", Authed: s.reportHeatmap},
		{Method: http.MethodGet, Path: "/api/v1/reports/agents", Authed: s.reportAgents},
		{Method: http.MethodGet, Path: "/api/v1/reports/agents.csv", Authed: s.reportAgents},
		{Method: http.MethodGet, Path: "/api/v1/reports/sentiment", Authed: s.reportSentiment},
		{Method: http.MethodGet, Path: "/api/v1/reports/sentiment.csv", Authed: s.reportSentiment},
		{Method: http.MethodGet, Path: "/api/v1/reports/topics", Authed: s.reportTopics},
		{Method: http.MethodGet, Path: "/api/v1/reports/topics.csv", Authed: s.reportTopics},
		{Method: http.MethodGet, Path: "/api/v1/reports/topics/conversations", Authed: s.reportTopicConversations},
		{Method: http.MethodGet, Path: "/api/v1/reports/topics/conversations.csv", Authed: s.reportTopicConversations},
		{Method: http.MethodGet, Path: "/api/v1/reports/live", Authed: s.reportLive},

		{Method: http.MethodGet, Path: "/api/v1/bot/faqs", Authed: s.listFAQs},
		{Method: http.MethodPost, Path: "/api/v1/bot/faqs", Authed: s.createFAQ},
		{Method: http.MethodPatch, Path: "/api/v1/bot/faqs/{id}", Authed: s.updateFAQ},
		{Method: http.MethodDelete, Path: "/api/v1/bot/faqs/{id}", Authed: s.deleteFAQ},
		{Method: http.MethodPost, Path: "/api/v1/bot/try", Authed: s.tryBot},

		{Method: http.MethodGet, Path: "/api/v1/notifications", Authed: s.listNotifications},
		{Method: http.MethodPost, Path: "/api/v1/notifications/read", Authed: s.readNotifications},
		{Method: http.MethodGet, Path: "/api/v1/me/notification_prefs", Authed: s.getNotifyPrefs},
		{Method: http.MethodPut, Path: "/api/v1/me/notification_prefs", Authed: s.setNotifyPrefs},
		{Method: http.MethodGet, Path: "/api/v1/push/key", Authed: s.pushKey},
		{Method: http.MethodPost, Path: "/api/v1/push/subscriptions", Authed: s.subscribePush},
		{Method: http.MethodDelete, Path: "/api/v1/push/subscriptions", Authed: s.unsubscribePush},

		{Method: http.MethodPost, Path: "/api/v1/tone", Authed: s.checkTone},
		{Method: http.MethodGet, Path: "/api/v1/tone/policy", Authed: s.getTonePolicy},
		{Method: http.MethodPut, Path: "/api/v1/tone/policy", Authed: s.setTonePolicy},

		{Method: http.MethodGet, Path: "/api/v1/mentions", Authed: s.listMentions},
		{Method: http.MethodGet, Path: "/api/v1/mentions/trend", Authed: s.mentionTrend},
		{Method: http.MethodGet, Path: "/api/v1/mentions/keywords", Authed: s.listKeywords},
		{Method: http.MethodPost, Path: "/api/v1/mentions/keywords", Authed: s.createKeyword},
		{Method: http.MethodPatch, Path: "/api/v1/mentions/keywords/{id}", Authed: s.updateKeyword},
		{Method: http.MethodDelete, Path: "/api/v1/mentions/keywords/{id}", Authed: s.deleteKeyword},
		{Method: http.MethodGet, Path: "/api/v1/automation_rules", Authed: s.listAutomationRules},
		{Method: http.MethodPost, Path: "/api/v1/automation_rules", Authed: s.createAutomationRule},
		{Method: http.MethodGet, Path: "/api/v1/automation_rules/{id}", Authed: s.getAutomationRule},
		{Method: http.MethodPatch, Path: "/api/v1/automation_rules/{id}", Authed: s.updateAutomationRule},
		{Method: http.MethodDelete, Path: "/api/v1/automation_rules/{id}", Authed: s.deleteAutomationRule},
		{Method: http.MethodGet, Path: "/api/v1/automation_rules/{id}/runs", Authed: s.listAutomationRuns},

		{Method: http.MethodGet, Path: "/api/v1/search", Authed: s.search},
		{Method: http.MethodGet, Path: "/api/v1/realtime", Authed: s.realtime},
	}
}

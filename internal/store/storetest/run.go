package storetest

import (
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

// test is one conformance test: it gets a fresh, migrated store.
type test struct {
	name string
	run  func(t *testing.T, st *store.Store)
}

// tests is the conformance suite, in the order of the domain.
var tests = []test{
	{"Accounts", testAccounts},
	{"UsersDuplicateEmailConflicts", testUsersDuplicateEmail},
	{"SessionsExpireAndEnd", testSessions},
	{"APITokensRevoked", testAPITokens},
	{"InboxesMembersAndSecrets", testInboxes},
	{"InboxesBySettingIDAcrossAccounts", testInboxesBySettingID},
	{"TeamsLabelsCannedConflicts", testNamedThings},
	{"ContactIdentitiesUniquePerAccount", testContactIdentities},
	{"ContactSearch", testContactSearch},
	{"MergeContacts", testMergeContacts},
	{"ContactsVisibleThroughInboxes", testContactScope},
	{"ContactFilters", testContactFilters},
	{"SavedViews", testSavedViews},
	{"ConversationRoundTrip", testConversationRoundTrip},
	{"CountsMatchAfterRandomOperations", testCountsRandomOperations},
	{"CountsMatchAfterDeletingThings", testCountsAfterDeletes},
	{"EventsCarryCountChanges", testEventsCarryCountChanges},
	{"PaginationEveryConversationOnce", testPagination},
	{"PaginationInboxFilter", testPaginationInboxFilter},
	{"ConversationFilters", testConversationFilters},
	{"OpenConversationPrefersUnresolved", testOpenConversation},
	{"MessagesExternalIDDedupe", testMessageDedupe},
	{"BatchWritesMatchSingleOnes", testBatchWrites},
	{"MessagesPagesAndAttachments", testMessagePages},
	{"EmailMessagesAndThreads", testEmailThreads},
	{"SentEmail", testSentEmail},
	{"InboxCursorsPerInbox", testInboxCursors},
	{"SearchMessagesWholeWords", testSearchMessages},
	{"SearchForgetsDeletedMessages", testSearchForgetsDeleted},
	{"SearchLastTermPrefix", testSearchLastTermPrefix},
	{"EventsGaplessPerAccount", testEvents},
	{"EventsGaplessUnderConcurrentWriters", testEventsConcurrent},
	{"SavepointFailureLeavesNothing", testSavepoint},
	{"SavepointOutlivesCancel", testSavepointOutlivesCancel},
	{"SearchIndexFollowsCommit", testSearchIndexFollowsCommit},
	{"WriteSurvivesPanic", testWritePanic},
	{"WritesTakeTurns", testWritesTakeTurns},
	{"JobsClaimLeaseRetryFinish", testJobs},
	{"JobsConcurrentClaimsOnce", testJobsConcurrent},
	{"JobsClaimSkipsLockedJob", testJobsSkipLocked},
	{"JobsLeaseRenewedByItsClaimOnly", testJobsRenew},
	{"LeasesExclusiveUntilExpiry", testLeases},
	{"RawEventsJournalOnceProcessRetryFail", testRawEvents},
	{"RawEventsConcurrentClaimsOnce", testRawEventsConcurrent},
	{"MentionsPagedCountedAndForgotten", testMentions},
	{"AutomationRulesCursorRuns", testAutomation},
	{"IDsNeverReused", testIDsNeverReused},
	{"Backup", testBackup},
}

// Run runs the conformance suite, each test as a parallel subtest on a
// store of its own from open.
func Run(t *testing.T, open func(t *testing.T) *store.Store) {
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, open(t))
		})
	}
}

// wantCode fails the test unless err carries the error code.
func wantCode(t testing.TB, err error, code, what string) {
	t.Helper()
	if got := sahay.ErrorCode(err); got != code {
		t.Fatalf("%s: error %v (code %q), want code %q", what, err, got, code)
	}
}

// must fails the test on err.
func must(t testing.TB, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

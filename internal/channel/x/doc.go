// Package x is the "x" channel: an X (Twitter) account's direct messages
// and the posts that mention it, received by X's Account Activity
// webhooks (or the X Activity API's, in the same shape) and answered by
// the v2 API with OAuth 1.0a user context.
package x

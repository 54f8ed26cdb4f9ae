// Package kb is the knowledge base's reading of its articles, pure and
// offline: Markdown rendered to safe HTML ([Render]) and to plain text
// ([Text], [Summary]), the slug of a title ([Slug]), the pages an
// article is suggested on ([MatchPage]), and a BM25 search index over
// published translations in English, Bengali and Hindi ([Index]). The
// store keeps the articles; core decides who sees which and builds the
// index from what is published.
package kb

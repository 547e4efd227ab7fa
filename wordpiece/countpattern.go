package wordpiece

// BertCountPattern is a regular expression whose matches are the pieces of
// HF's BertPreTokenizer (runs of characters that are neither white space
// nor punctuation, and single punctuation characters), for tools that
// pre-tokenize with a pattern: word counts made with
//
//	tok count --pre-tokenizer "$PATTERN" --out bert.counts CORPUS
//
// train the same vocabulary as counting the corpus inside
// tok train-vocab --algo wordpiece. Punctuation is ASCII punctuation or
// Unicode category P; white space is Unicode White_Space.
const BertCountPattern = `[^\s!-/:-@\[-` + "`" + `{-~\p{P}]+|[!-/:-@\[-` + "`" + `{-~\p{P}]`

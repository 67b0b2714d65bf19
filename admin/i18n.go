package admin

// russianTexts translates the admin page's English texts ({{$.T "…"}} in the templates, and the
// messages handlers show). A text without an entry shows in English; a test checks that every text
// the templates name has one.
var russianTexts = map[string]string{}

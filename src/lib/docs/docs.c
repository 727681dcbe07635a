/*
 * docs.c: the forms' content as JSON (attt_docs_form_json), so that the API serves the same fields
 * and labels as the PDF: one list built from the same tables of forms.c.
 */
#include <string.h>

#include <jansson.h>

#include "attt/docs.h"
#include "attt/err.h"
#include "docs-int.h"

static const char *kind_name(enum attt__docs_kind k)
{
	switch (k) {
	case DK_HEAD:
		return "heading";
	case DK_TEXT:
		return "text";
	case DK_MULTI:
		return "multiline";
	case DK_CHECKS:
		return "checkboxes";
	case DK_DATE:
		return "date";
	case DK_TIME:
		return "time";
	case DK_DATETIME:
		return "datetime";
	case DK_PERIOD:
		return "period";
	case DK_TABLE:
		return "table";
	}
	return "text";
}

static int add_field(json_t *fields, const struct attt__docs_field *f, const char *section,
		     const json_t *data)
{
	const json_t *v = f->key ? attt__docs_lookup(data, f->key) : NULL;
	json_t *o = json_pack("{s:s, s:s, s:s?, s:s?, s:O?}", "label", f->label, "kind", kind_name(f->kind),
			      "key", f->key, "section", section, "value", (json_t *)v);
	if (!o)
		return ATTT_E_NOMEM;
	if (f->options) {
		json_t *opts = json_array();
		for (size_t i = 0; opts && f->options[i]; i++)
			json_array_append_new(opts, json_string(f->options[i]));
		if (!opts || json_object_set_new(o, "options", opts) < 0) {
			json_decref(o);
			return ATTT_E_NOMEM;
		}
	}
	if (f->kind == DK_TABLE) {
		json_t *rows = json_array(), *cols = json_array();
		for (size_t i = 0; rows && f->rows[i].key; i++)
			json_array_append_new(rows, json_pack("{s:s, s:s}", "key", f->rows[i].key, "label",
							      f->rows[i].label));
		for (size_t i = 0; cols && f->cols[i].label; i++)
			json_array_append_new(cols, json_pack("{s:s?, s:s}", "key", f->cols[i].key, "label",
							      f->cols[i].label));
		if (!rows || !cols || json_object_set_new(o, "rows", rows) < 0 ||
		    json_object_set_new(o, "columns", cols) < 0) {
			json_decref(o);
			return ATTT_E_NOMEM;
		}
	}
	if (json_array_append_new(fields, o) < 0)
		return ATTT_E_NOMEM;
	return ATTT_OK;
}

int attt_docs_form_json(const char *form, const json_t *data, json_t **ret)
{
	const struct attt__docs_form *fm = attt__docs_form_find(form);
	const char *section = NULL;
	json_t *out = NULL, *fields;
	int e;

	if (!fm)
		return ATTT_E_NOTFOUND;
	if (!json_is_object(data))
		return ATTT_E_INVAL;
	out = json_pack("{s:s, s:s, s:s, s:s, s:[]}", "form", fm->id, "title", fm->title, "signer",
			fm->signer_label, "signer_note", fm->signer_note, "fields");
	if (!out)
		return ATTT_E_NOMEM;
	fields = json_object_get(out, "fields");
	for (size_t i = 0; fm->fields[i].label; i++) {
		const struct attt__docs_field *f = &fm->fields[i];
		if (f->kind == DK_HEAD) {
			section = f->label;
			continue;
		}
		if ((e = add_field(fields, f, section, data)) < 0) {
			json_decref(out);
			return e;
		}
	}
	*ret = out;
	return ATTT_OK;
}

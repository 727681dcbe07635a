/*
 * docs-int.h: the declarative description of the official forms, shared by the renderer (render.c)
 * and the JSON view (docs.c). Private to the docs module.
 *
 * A form is a title and a list of fields. Each field has a Vietnamese label as printed on the form,
 * the JSON key its value comes from (dots separate nested objects) and a kind that says how it is
 * drawn. The tables are the only place that knows the forms' content.
 */
#ifndef ATTT_DOCS_INT_H
#define ATTT_DOCS_INT_H

enum attt__docs_kind {
	DK_HEAD,     /* a section heading: label only, bold */
	DK_TEXT,     /* "label: value" on one line, wrapped; value string, number or array of strings */
	DK_MULTI,    /* label on its own line, then the value as paragraphs (string or array of strings) */
	DK_CHECKS,   /* label, then a list of boxes: the table's options and/or the data's items */
	DK_DATE,     /* "label: dd/mm/yyyy" from a date or time string */
	DK_TIME,     /* "label: HH giờ MM phút" from a time string */
	DK_DATETIME, /* "label: HH giờ MM phút, ngày dd/mm/yyyy" */
	DK_PERIOD,   /* "Từ tháng mm/yyyy đến tháng mm/yyyy" from {"from": ..., "to": ...}, centred */
	DK_TABLE,    /* Mẫu 05's table: fixed rows and columns, value {row: {col: value}} */
};

/* The label is drawn bold (the numbered items of the paper form that are headings themselves). */
#define DF_BOLD 1u

struct attt__docs_row {
	const char *key;
	const char *label;
};

struct attt__docs_col {
	const char *key; /* NULL for the row-label column */
	const char *label;
	double width; /* fraction of the text width */
};

struct attt__docs_field {
	enum attt__docs_kind kind;
	const char *label;
	const char *key;
	unsigned flags;
	const char *const *options;          /* DK_CHECKS: the options printed on the form, NULL-ended */
	const struct attt__docs_row *rows;   /* DK_TABLE, ended by a NULL key */
	const struct attt__docs_col *cols;   /* DK_TABLE, ended by a NULL label */
};

struct attt__docs_form {
	const char *id;           /* "03" */
	const char *title;        /* may hold one %s, filled by the period (Mẫu 05) */
	const char *symbol;       /* "BC": the kind of document in the number and symbol */
	const char *signer_label; /* the signature block's first line, as printed on the form */
	const char *signer_note;  /* "(Ký tên, đóng dấu)" */
	const struct attt__docs_field *fields; /* ended by a NULL label */
	const char *const *notes; /* footnotes printed under the form, NULL-ended; may be NULL */
};

/* The form with this id, or NULL. */
const struct attt__docs_form *attt__docs_form_find(const char *id);

/* The JSON value at a dotted key of data, or NULL when missing or JSON null. */
const void *attt__docs_lookup(const void *data, const char *key);

#endif

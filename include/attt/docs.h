/*
 * docs.h: the official documents of the incident process as PDF: Mẫu số 03 (báo cáo ban đầu sự cố
 * mạng), Mẫu số 04 (báo cáo kết thúc ứng phó sự cố) and Mẫu số 05 (báo cáo tổng hợp 06 tháng / 01
 * năm) of Thông tư 20/2017/TT-BTTTT, as required by R11.2 steps 3 and 5.
 *
 * A form is drawn with Pango (shaping, line breaking of Vietnamese) on Cairo's PDF surface in
 * Liberation Serif only (font fallback is switched off, so a character the font lacks is counted as
 * an unknown glyph instead of silently pulling in another font). A4 portrait, the national header,
 * the issuing body, number and symbol, place and date, the title, every field of the form with its
 * Vietnamese label, and the signature block. Long text wraps and continues on the next page; missing
 * values are drawn as dotted lines, as on the paper form. The field set of each form is a declarative
 * table in the module (docs/documents.md lists the JSON keys).
 *
 * The input is a JSON object (jansson). Common keys: "agency_parent", "agency" (issuing body),
 * "number" ("12/BC-STTTT"), "place" ("Thái Nguyên"), "date" ("2026-11-24", also the PDF creation
 * date: output does not depend on the clock), "signer_title", "signer_name", "recipients" (array of
 * strings, "Nơi nhận"). Field values are strings, numbers, arrays (checkbox lists) or objects (the
 * table of Mẫu 05); nested keys are written with dots in the table ("reporter.name").
 *
 * Thread-safety: rendering is reentrant (each call has its own surface and Pango context); the
 * unknown-glyph counter is atomic.
 */
#ifndef ATTT_DOCS_H
#define ATTT_DOCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "attt/buf.h"

/* What a rendering produced, for callers that store or audit the document. */
struct attt_docs_info {
	unsigned pages;          /* pages of the PDF */
	unsigned unknown_glyphs; /* glyphs Liberation Serif could not draw (0 for a correct document) */
};

/* True if form is "03", "04" or "05". */
bool attt_docs_form_known(const char *form);

/* Renders form ("03", "04" or "05") with data into ret_pdf (initialised by the caller with
 * attt_buf_init; its ceiling applies in addition to ATTT_DOCS_MAX_PDF); the PDF is appended.
 * info may be NULL. Returns ATTT_OK; ATTT_E_NOTFOUND for an unknown form; ATTT_E_INVAL when data is
 * not an object, a value has the wrong type or is not valid UTF-8, or "date" is not a date;
 * ATTT_E_TOOBIG when a value exceeds ATTT_MAX_TEXT, the document exceeds ATTT_DOCS_MAX_PAGES
 * or the buffer's ceiling; ATTT_E_INTERNAL when Cairo fails. On failure ret_pdf is left as it was.
 * data is borrowed. */
int attt_docs_render_form(const char *form, const json_t *data, struct attt_buf *ret_pdf,
			  struct attt_docs_info *info);

/* Same, written to path atomically (a temporary file in the same directory, fsync, rename; mode
 * 0600). ATTT_E_IO when the file cannot be written; on failure path is not created or changed. */
int attt_docs_render_form_file(const char *form, const json_t *data, const char *path,
			       struct attt_docs_info *info);

/* The same content as JSON, for the API: {"form": "03", "title": ..., "fields": [{"key", "label",
 * "kind", "section", "value"}...]} where value is the data's value (null when missing). *ret is a
 * new reference owned by the caller. ATTT_E_NOTFOUND for an unknown form, ATTT_E_INVAL when data is
 * not an object. */
int attt_docs_form_json(const char *form, const json_t *data, json_t **ret);

/* Releases the process-wide caches that Pango, Cairo and fontconfig keep (the font map, glyph
 * caches, the fontconfig configuration), so that leak checkers see a clean exit. Call once at the
 * end of a program that rendered, when no thread renders any more; rendering again afterwards is
 * not supported. */
void attt_docs_shutdown(void);

/* Total of pango_layout_get_unknown_glyphs_count() over every layout drawn by this process since
 * start: tests assert it does not grow while rendering Vietnamese. */
uint64_t attt_docs_unknown_glyphs_total(void);

#endif

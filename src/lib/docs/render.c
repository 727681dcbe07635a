/*
 * render.c: draws a form of forms.c as PDF with Pango on a Cairo PDF surface.
 *
 * Everything is laid out by Pango in Liberation Serif with font fallback off, then drawn line by
 * line, so that a block longer than the rest of the page continues on the next one (pagination is
 * at line boundaries; a row of a table or the signature block is never split). Every layout's
 * unknown glyphs are counted (attt_docs_unknown_glyphs_total) so that tests can prove that no
 * character was drawn as an empty box. The output does not depend on the clock: the PDF's creation
 * date comes from the data's "date".
 *
 * The page follows Nghị định 30/2020/NĐ-CP's layout of administrative documents: A4 portrait,
 * margins 20 mm top and bottom, 30 mm left, 15 mm right; the issuing body top left with the number
 * and symbol under it, the national motto top right with the place and date under it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>

#include "attt/buf.h"
#include "attt/clock.h"
#include "attt/docs.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/log.h"
#include "attt/str.h"
#include "docs-int.h"

#define MM (72.0 / 25.4)
#define PAGE_W (210.0 * MM)
#define PAGE_H (297.0 * MM)
#define MARGIN_TOP (20.0 * MM)
#define MARGIN_BOTTOM (20.0 * MM)
#define MARGIN_LEFT (30.0 * MM)
#define MARGIN_RIGHT (15.0 * MM)
#define TEXT_W (PAGE_W - MARGIN_LEFT - MARGIN_RIGHT)
#define BODY_PT 12.0
#define FONT_FAMILY "Liberation Serif"
#define DOTS "……"

static _Atomic uint64_t unknown_glyphs_total;

uint64_t attt_docs_unknown_glyphs_total(void)
{
	return atomic_load(&unknown_glyphs_total);
}

void attt_docs_shutdown(void)
{
	pango_cairo_font_map_set_default(NULL);
	cairo_debug_reset_static_data();
	FcFini();
}

enum { ST_REGULAR = 0, ST_BOLD = 1, ST_ITALIC = 2 };

struct rd {
	cairo_surface_t *surf;
	cairo_t *cr;
	PangoContext *pc;
	struct attt_buf *out;
	double y;        /* top of the next line, in points from the top of the page */
	unsigned pages;
	unsigned unknown;
	int err;         /* first error; once set, nothing more is drawn */
};

/* ---- output ---- */

static cairo_status_t write_cb(void *closure, const unsigned char *data, unsigned int length)
{
	struct rd *r = closure;
	int e = attt_buf_add(r->out, data, length);
	if (e < 0) {
		if (!r->err)
			r->err = e;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	return CAIRO_STATUS_SUCCESS;
}

static void new_page(struct rd *r)
{
	if (r->err)
		return;
	if (r->pages >= ATTT_DOCS_MAX_PAGES) {
		r->err = ATTT_E_TOOBIG;
		return;
	}
	cairo_show_page(r->cr);
	r->pages++;
	r->y = MARGIN_TOP;
}

/* ---- layouts ---- */

static PangoLayout *mk_layout(struct rd *r, const char *text, double width, double size, int style,
			      PangoAlignment align)
{
	PangoLayout *l = pango_layout_new(r->pc);
	PangoFontDescription *fd = pango_font_description_from_string(FONT_FAMILY);
	PangoAttrList *al = pango_attr_list_new();

	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	pango_font_description_set_weight(fd, (style & ST_BOLD) ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_font_description_set_style(fd, (style & ST_ITALIC) ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	/* Only Liberation Serif: a missing glyph must show up as an unknown glyph, not as another font. */
	pango_attr_list_insert(al, pango_attr_fallback_new(FALSE));
	pango_attr_list_insert(al, pango_attr_language_new(pango_language_from_string("vi")));
	pango_layout_set_attributes(l, al);
	pango_attr_list_unref(al);
	pango_layout_set_width(l, pango_units_from_double(width));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment(l, align);
	pango_layout_set_text(l, text, -1);
	return l;
}

/* Makes bytes [start, end) of l's text bold. */
static void layout_bold(PangoLayout *l, size_t start, size_t end)
{
	PangoAttrList *al = pango_attr_list_copy(pango_layout_get_attributes(l));
	PangoAttribute *a = pango_attr_weight_new(PANGO_WEIGHT_BOLD);
	a->start_index = (guint)start;
	a->end_index = (guint)end;
	pango_attr_list_insert(al, a);
	pango_layout_set_attributes(l, al);
	pango_attr_list_unref(al);
}

static void count_unknown(struct rd *r, PangoLayout *l)
{
	int n = pango_layout_get_unknown_glyphs_count(l);
	if (n > 0) {
		r->unknown += (unsigned)n;
		atomic_fetch_add(&unknown_glyphs_total, (uint64_t)n);
	}
}

/* Where the last line of a layout ended: for the dotted line of a missing value. */
struct tail {
	double x_end;    /* x of the end of the last line's text */
	double baseline; /* y of its baseline */
};

/* Draws l at x, line by line from r->y, starting a new page whenever a line does not fit. */
static void emit(struct rd *r, PangoLayout *l, double x, struct tail *tail)
{
	PangoLayoutIter *it;

	count_unknown(r, l);
	if (r->err)
		return;
	it = pango_layout_get_iter(l);
	do {
		PangoRectangle log;
		double top, h, base;

		pango_layout_iter_get_line_extents(it, NULL, &log);
		top = pango_units_to_double(log.y);
		h = pango_units_to_double(log.height);
		base = pango_units_to_double(pango_layout_iter_get_baseline(it)) - top;
		if (r->y + h > PAGE_H - MARGIN_BOTTOM && r->y > MARGIN_TOP)
			new_page(r);
		if (r->err)
			break;
		cairo_move_to(r->cr, x + pango_units_to_double(log.x), r->y + base);
		pango_cairo_show_layout_line(r->cr, pango_layout_iter_get_line_readonly(it));
		if (tail) {
			tail->x_end = x + pango_units_to_double(log.x + log.width);
			tail->baseline = r->y + base;
		}
		r->y += h;
	} while (pango_layout_iter_next_line(it));
	pango_layout_iter_free(it);
}

static void text_block(struct rd *r, const char *text, double x, double width, double size, int style,
		       PangoAlignment align)
{
	PangoLayout *l = mk_layout(r, text, width, size, style, align);
	emit(r, l, x, NULL);
	g_object_unref(l);
}

static void dotted(struct rd *r, double x0, double x1, double y)
{
	static const double dash[] = { 0.0, 3.0 };
	cairo_save(r->cr);
	cairo_set_line_width(r->cr, 0.9);
	cairo_set_line_cap(r->cr, CAIRO_LINE_CAP_ROUND);
	cairo_set_dash(r->cr, dash, 2, 0);
	cairo_move_to(r->cr, x0, y);
	cairo_line_to(r->cr, x1, y);
	cairo_stroke(r->cr);
	cairo_restore(r->cr);
}

static double line_height(double size)
{
	return size * 1.16;
}

/* A dotted line across the text width, on a line of its own. */
static void dotted_line(struct rd *r, double x)
{
	double h = line_height(BODY_PT);
	if (r->y + h > PAGE_H - MARGIN_BOTTOM)
		new_page(r);
	if (r->err)
		return;
	dotted(r, x + 2, MARGIN_LEFT + TEXT_W, r->y + h * 0.8);
	r->y += h;
}

static void hrule(struct rd *r, double x0, double x1, double y)
{
	cairo_save(r->cr);
	cairo_set_line_width(r->cr, 0.6);
	cairo_move_to(r->cr, x0, y);
	cairo_line_to(r->cr, x1, y);
	cairo_stroke(r->cr);
	cairo_restore(r->cr);
}

static void box(struct rd *r, double x, double baseline, bool checked)
{
	const double s = 8.0;
	double y = baseline - s;
	cairo_save(r->cr);
	cairo_set_line_width(r->cr, 0.7);
	cairo_rectangle(r->cr, x, y, s, s);
	if (checked) {
		cairo_move_to(r->cr, x + 1.5, y + 1.5);
		cairo_line_to(r->cr, x + s - 1.5, y + s - 1.5);
		cairo_move_to(r->cr, x + s - 1.5, y + 1.5);
		cairo_line_to(r->cr, x + 1.5, y + s - 1.5);
	}
	cairo_stroke(r->cr);
	cairo_restore(r->cr);
}

static void gap(struct rd *r, double pt)
{
	r->y += pt;
	if (r->y > PAGE_H - MARGIN_BOTTOM)
		new_page(r);
}

/* ---- values ---- */

static int check_text(const char *s)
{
	size_t n = strlen(s);
	if (n > ATTT_MAX_TEXT)
		return ATTT_E_TOOBIG;
	if (!attt_utf8_valid(s, n))
		return ATTT_E_INVAL;
	return ATTT_OK;
}

/* A scalar as text into b: strings, integers and reals; arrays of them joined with sep. Missing or
 * empty gives an empty b. */
static int value_text(const json_t *v, const char *sep, struct attt_buf *b)
{
	int e;

	attt_buf_reset(b);
	if (!v)
		return ATTT_OK;
	if (json_is_array(v)) {
		size_t i;
		json_t *it;
		json_array_foreach(v, i, it)
		{
			if (json_is_array(it) || json_is_object(it))
				return ATTT_E_INVAL;
			if (i > 0 && (e = attt_buf_adds(b, sep)) < 0)
				return e;
			struct attt_buf one;
			attt_buf_init(&one, ATTT_MAX_TEXT);
			e = value_text(it, sep, &one);
			if (e >= 0)
				e = attt_buf_add(b, one.data ? one.data : "", one.len);
			attt_buf_done(&one);
			if (e < 0)
				return e;
		}
		return ATTT_OK;
	}
	if (json_is_string(v)) {
		if ((e = check_text(json_string_value(v))) < 0)
			return e;
		return attt_buf_add(b, json_string_value(v), json_string_length(v));
	}
	if (json_is_integer(v))
		return attt_buf_addf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	if (json_is_real(v))
		return attt_buf_addf(b, "%g", json_real_value(v));
	if (json_is_boolean(v))
		return attt_buf_adds(b, json_is_true(v) ? "Có" : "Không");
	return ATTT_E_INVAL;
}

/* Local (Asia/Ho_Chi_Minh) broken-down time of a date or time string. */
static int value_time(const json_t *v, struct tm *ret)
{
	int64_t t;
	time_t s;
	struct tm tm;
	int e;

	if (!json_is_string(v))
		return ATTT_E_INVAL;
	if ((e = attt_time_parse(json_string_value(v), &t)) < 0)
		return e;
	s = (time_t)(t / ATTT_USEC_PER_SEC + ATTT_VN_OFFSET_SEC);
	if (!gmtime_r(&s, &tm))
		return ATTT_E_RANGE;
	*ret = tm;
	return ATTT_OK;
}

/* ---- fields ---- */

/* "label: value", or "label:" and a dotted line when the value is missing. */
static void draw_labelled(struct rd *r, const char *label, const char *value, unsigned flags)
{
	struct attt_buf b;
	PangoLayout *l;
	struct tail tail = { 0, 0 };
	size_t label_end;

	attt_buf_init(&b, ATTT_MAX_TEXT * 2);
	if (attt_buf_addf(&b, "%s:", label) < 0) {
		r->err = ATTT_E_NOMEM;
		goto out;
	}
	label_end = b.len;
	if (value && *value && (attt_buf_addc(&b, ' ') < 0 || attt_buf_adds(&b, value) < 0)) {
		r->err = ATTT_E_TOOBIG;
		goto out;
	}
	l = mk_layout(r, attt_buf_str(&b), TEXT_W, BODY_PT, ST_REGULAR, PANGO_ALIGN_LEFT);
	if (flags & DF_BOLD)
		layout_bold(l, 0, label_end);
	emit(r, l, MARGIN_LEFT, &tail);
	g_object_unref(l);
	if (!(value && *value) && !r->err) {
		if (MARGIN_LEFT + TEXT_W - tail.x_end > 40)
			dotted(r, tail.x_end + 4, MARGIN_LEFT + TEXT_W, tail.baseline);
		else
			dotted_line(r, MARGIN_LEFT);
	}
out:
	attt_buf_done(&b);
}

static int draw_text(struct rd *r, const struct attt__docs_field *f, const json_t *v)
{
	struct attt_buf b;
	int e;

	attt_buf_init(&b, ATTT_MAX_TEXT);
	e = value_text(v, ", ", &b);
	if (e >= 0)
		draw_labelled(r, f->label, attt_buf_str(&b), f->flags);
	attt_buf_done(&b);
	return e;
}

static int draw_multi(struct rd *r, const struct attt__docs_field *f, const json_t *v)
{
	struct attt_buf b;
	int e;

	attt_buf_init(&b, ATTT_MAX_TEXT);
	e = value_text(v, "\n", &b);
	if (e < 0)
		goto out;
	text_block(r, f->label, MARGIN_LEFT, TEXT_W, BODY_PT, (f->flags & DF_BOLD) ? ST_BOLD : ST_REGULAR,
		   PANGO_ALIGN_LEFT);
	if (b.len == 0) {
		for (int i = 0; i < 3; i++)
			dotted_line(r, MARGIN_LEFT);
	} else {
		PangoLayout *l = mk_layout(r, attt_buf_str(&b), TEXT_W, BODY_PT, ST_REGULAR, PANGO_ALIGN_LEFT);
		pango_layout_set_justify(l, TRUE);
		pango_layout_set_indent(l, pango_units_from_double(20));
		emit(r, l, MARGIN_LEFT, NULL);
		g_object_unref(l);
	}
out:
	attt_buf_done(&b);
	return e;
}

struct check_item {
	const char *label;
	bool checked;
};

#define MAX_CHECK_ITEMS 64

/* Whether the data value v checks the table's option number i (0-based) labelled opt. */
static bool option_checked(const json_t *v, size_t i, const char *opt)
{
	if (!v)
		return false;
	if (json_is_integer(v))
		return json_integer_value(v) == (json_int_t)i + 1;
	if (json_is_boolean(v))
		return (json_is_true(v) && i == 0) || (json_is_false(v) && i == 1);
	if (json_is_string(v))
		return strcmp(json_string_value(v), opt) == 0;
	if (json_is_array(v)) {
		size_t k;
		json_t *it;
		json_array_foreach(v, k, it)
		{
			if (json_is_string(it) && strcmp(json_string_value(it), opt) == 0)
				return true;
			if (json_is_object(it) && json_is_string(json_object_get(it, "label")) &&
			    strcmp(json_string_value(json_object_get(it, "label")), opt) == 0)
				return json_is_true(json_object_get(it, "checked"));
		}
	}
	return false;
}

static bool is_option(const struct attt__docs_field *f, const char *s)
{
	for (size_t i = 0; f->options && f->options[i]; i++)
		if (strcmp(f->options[i], s) == 0)
			return true;
	return false;
}

/* The boxes of a checkbox field: the table's options, then the data's other items. */
static int check_items(const struct attt__docs_field *f, const json_t *v, struct check_item *items,
		       size_t *ret_n)
{
	size_t n = 0;
	int e;

	if (v && !json_is_array(v) && !json_is_string(v) && !json_is_boolean(v) && !json_is_integer(v))
		return ATTT_E_INVAL;
	if (v && json_is_integer(v) && (!f->options || json_integer_value(v) < 1))
		return ATTT_E_RANGE;
	for (size_t i = 0; f->options && f->options[i]; i++) {
		items[n].label = f->options[i];
		items[n].checked = option_checked(v, i, f->options[i]);
		n++;
	}
	if (v && json_is_integer(v) && (size_t)json_integer_value(v) > n)
		return ATTT_E_RANGE;
	if (v && json_is_string(v) && !is_option(f, json_string_value(v))) {
		if ((e = check_text(json_string_value(v))) < 0)
			return e;
		items[n].label = json_string_value(v);
		items[n].checked = true;
		n++;
	}
	if (v && json_is_array(v)) {
		size_t k;
		json_t *it;
		json_array_foreach(v, k, it)
		{
			const char *label;
			bool checked = true;
			if (json_is_string(it)) {
				label = json_string_value(it);
			} else if (json_is_object(it) && json_is_string(json_object_get(it, "label"))) {
				label = json_string_value(json_object_get(it, "label"));
				json_t *c = json_object_get(it, "checked");
				if (c && !json_is_boolean(c))
					return ATTT_E_INVAL;
				checked = json_is_true(c);
			} else {
				return ATTT_E_INVAL;
			}
			if ((e = check_text(label)) < 0)
				return e;
			if (is_option(f, label))
				continue;
			if (n >= MAX_CHECK_ITEMS)
				return ATTT_E_TOOBIG;
			items[n].label = label;
			items[n].checked = checked;
			n++;
		}
	}
	*ret_n = n;
	return ATTT_OK;
}

static int draw_checks(struct rd *r, const struct attt__docs_field *f, const json_t *v)
{
	struct check_item items[MAX_CHECK_ITEMS];
	PangoLayout *ls[MAX_CHECK_ITEMS];
	size_t n = 0, cols;
	double maxw = 0, colw;
	const double boxw = 14.0, indent = 12.0, avail = TEXT_W - indent;
	int e;

	if ((e = check_items(f, v, items, &n)) < 0)
		return e;
	if (n == 0) {
		draw_labelled(r, f->label, NULL, f->flags);
		return ATTT_OK;
	}
	text_block(r, f->label, MARGIN_LEFT, TEXT_W, BODY_PT, (f->flags & DF_BOLD) ? ST_BOLD : ST_REGULAR,
		   PANGO_ALIGN_LEFT);
	for (size_t i = 0; i < n; i++) {
		int w;
		ls[i] = mk_layout(r, items[i].label, avail - boxw, BODY_PT, ST_REGULAR, PANGO_ALIGN_LEFT);
		pango_layout_get_size(ls[i], &w, NULL);
		if (pango_units_to_double(w) > maxw)
			maxw = pango_units_to_double(w);
	}
	/* As many columns as the widest item allows: Cấp độ 1 ... Cấp độ 5 fit on one line. */
	cols = (size_t)(avail / (maxw + boxw + 10.0));
	if (cols < 1)
		cols = 1;
	if (cols > n)
		cols = n;
	if (cols > 5)
		cols = 5;
	colw = avail / (double)cols;
	for (size_t i = 0; i < n; i += cols) {
		double rowh = 0;
		for (size_t j = i; j < n && j < i + cols; j++) {
			int h;
			if (cols > 1)
				pango_layout_set_width(ls[j], pango_units_from_double(colw - boxw - 4));
			pango_layout_get_size(ls[j], NULL, &h);
			if (pango_units_to_double(h) > rowh)
				rowh = pango_units_to_double(h);
		}
		if (rowh > PAGE_H - MARGIN_TOP - MARGIN_BOTTOM) {
			/* One item longer than a page: drawn as flowing text after its box. */
			for (size_t j = i; j < n && j < i + cols; j++) {
				double y0 = r->y;
				emit(r, ls[j], MARGIN_LEFT + indent + boxw, NULL);
				box(r, MARGIN_LEFT + indent, y0 + BODY_PT, items[j].checked);
			}
			continue;
		}
		if (r->y + rowh > PAGE_H - MARGIN_BOTTOM)
			new_page(r);
		if (r->err)
			break;
		for (size_t j = i; j < n && j < i + cols; j++) {
			double x = MARGIN_LEFT + indent + (double)(j - i) * colw;
			int base = pango_layout_get_baseline(ls[j]);
			count_unknown(r, ls[j]);
			box(r, x, r->y + pango_units_to_double(base), items[j].checked);
			cairo_move_to(r->cr, x + boxw, r->y);
			pango_cairo_show_layout(r->cr, ls[j]);
		}
		r->y += rowh;
	}
	for (size_t i = 0; i < n; i++)
		g_object_unref(ls[i]);
	return ATTT_OK;
}

static int draw_time(struct rd *r, const struct attt__docs_field *f, const json_t *v)
{
	char s[96];
	struct tm tm;
	int e;

	if (!v) {
		switch (f->kind) {
		case DK_DATE:
			e = attt_str_printf(s, sizeof(s), "%s/%s/%s", DOTS, DOTS, DOTS);
			break;
		case DK_TIME:
			e = attt_str_printf(s, sizeof(s), "%s giờ %s phút", DOTS, DOTS);
			break;
		default:
			e = attt_str_printf(s, sizeof(s), "%s giờ %s phút, ngày %s/%s/%s", DOTS, DOTS, DOTS, DOTS,
					    DOTS);
			break;
		}
	} else {
		if ((e = value_time(v, &tm)) < 0)
			return e;
		switch (f->kind) {
		case DK_DATE:
			e = attt_str_printf(s, sizeof(s), "%02d/%02d/%04d", tm.tm_mday, tm.tm_mon + 1,
					    tm.tm_year + 1900);
			break;
		case DK_TIME:
			e = attt_str_printf(s, sizeof(s), "%02d giờ %02d phút", tm.tm_hour, tm.tm_min);
			break;
		default:
			e = attt_str_printf(s, sizeof(s), "%02d giờ %02d phút, ngày %02d/%02d/%04d", tm.tm_hour,
					    tm.tm_min, tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900);
			break;
		}
	}
	if (e < 0)
		return e;
	draw_labelled(r, f->label, s, f->flags);
	return ATTT_OK;
}

static int period_part(const json_t *v, const char *key, struct attt_buf *b)
{
	const json_t *p = v ? json_object_get(v, key) : NULL;
	int e;
	if (p && !json_is_string(p))
		return ATTT_E_INVAL;
	if (!p || json_string_length(p) == 0)
		return attt_buf_adds(b, DOTS "/" DOTS);
	if ((e = check_text(json_string_value(p))) < 0)
		return e;
	return attt_buf_adds(b, json_string_value(p));
}

static int draw_period(struct rd *r, const struct attt__docs_field *f, const json_t *v)
{
	struct attt_buf b;
	int e;

	if (v && !json_is_object(v))
		return ATTT_E_INVAL;
	attt_buf_init(&b, 1024);
	if ((e = attt_buf_adds(&b, "Từ tháng ")) < 0 || (e = period_part(v, "from", &b)) < 0 ||
	    (e = attt_buf_adds(&b, " đến tháng ")) < 0 || (e = period_part(v, "to", &b)) < 0)
		goto out;
	text_block(r, attt_buf_str(&b), MARGIN_LEFT, TEXT_W, BODY_PT, ST_ITALIC, PANGO_ALIGN_CENTER);
	gap(r, 6);
out:
	attt_buf_done(&b);
	return e;
}

/* One row of a table: cells laid out, the row moved to a new page when it does not fit; on a new
 * page the header row (head, when not NULL) is drawn again above it. */
static void table_row(struct rd *r, const struct attt__docs_col *cols, const char *const *texts, int style,
		      PangoAlignment first_align, const char *const *head)
{
	PangoLayout *ls[16];
	size_t n = 0;
	double h = 0, x = MARGIN_LEFT;
	const double pad = 3.0, size = 10.5;

	for (n = 0; cols[n].label && n < 16; n++) {
		int lh;
		ls[n] = mk_layout(r, texts[n], cols[n].width * TEXT_W - 2 * pad, size, style,
				  n == 0 ? first_align : PANGO_ALIGN_CENTER);
		count_unknown(r, ls[n]);
		pango_layout_get_size(ls[n], NULL, &lh);
		if (pango_units_to_double(lh) > h)
			h = pango_units_to_double(lh);
	}
	h += 2 * pad;
	if (r->y + h > PAGE_H - MARGIN_BOTTOM) {
		new_page(r);
		if (head)
			table_row(r, cols, head, ST_BOLD, PANGO_ALIGN_CENTER, NULL);
	}
	for (size_t i = 0; i < n; i++) {
		double w = cols[i].width * TEXT_W;
		if (!r->err) {
			cairo_save(r->cr);
			cairo_set_line_width(r->cr, 0.6);
			cairo_rectangle(r->cr, x, r->y, w, h);
			cairo_stroke(r->cr);
			cairo_restore(r->cr);
			cairo_move_to(r->cr, x + pad, r->y + pad);
			pango_cairo_show_layout(r->cr, ls[i]);
		}
		x += w;
		g_object_unref(ls[i]);
	}
	r->y += h;
}

static int draw_table(struct rd *r, const struct attt__docs_field *f, const json_t *v)
{
	const char *head[16], *cells[16];
	struct attt_buf bufs[16];
	size_t ncols = 0;
	int e = ATTT_OK;

	if (v && !json_is_object(v))
		return ATTT_E_INVAL;
	/* Every key of the data must be a row of the form, and every key of a row a column. */
	if (v) {
		const char *rk;
		json_t *rv;
		json_object_foreach((json_t *)v, rk, rv)
		{
			size_t i;
			for (i = 0; f->rows[i].key && strcmp(f->rows[i].key, rk) != 0; i++)
				;
			if (!f->rows[i].key || !json_is_object(rv)) {
				log_debug("docs: %s: unknown row or not an object: %s", f->key, rk);
				return ATTT_E_INVAL;
			}
			const char *ck;
			json_t *cv;
			json_object_foreach(rv, ck, cv)
			{
				size_t j;
				for (j = 1; f->cols[j].label && strcmp(f->cols[j].key, ck) != 0; j++)
					;
				if (!f->cols[j].label) {
					log_debug("docs: %s.%s: unknown column %s", f->key, rk, ck);
					return ATTT_E_INVAL;
				}
			}
		}
	}
	for (ncols = 0; f->cols[ncols].label && ncols < 16; ncols++) {
		head[ncols] = f->cols[ncols].label;
		attt_buf_init(&bufs[ncols], ATTT_MAX_TEXT);
	}
	gap(r, 4);
	table_row(r, f->cols, head, ST_BOLD, PANGO_ALIGN_CENTER, NULL);
	for (size_t i = 0; f->rows[i].key && e >= 0; i++) {
		const json_t *row = v ? json_object_get(v, f->rows[i].key) : NULL;
		cells[0] = f->rows[i].label;
		for (size_t j = 1; j < ncols; j++) {
			e = value_text(row ? json_object_get(row, f->cols[j].key) : NULL, ", ", &bufs[j]);
			if (e < 0)
				break;
			cells[j] = attt_buf_str(&bufs[j]);
		}
		if (e < 0)
			break;
		table_row(r, f->cols, cells, ST_REGULAR, PANGO_ALIGN_LEFT, head);
	}
	for (size_t j = 0; j < ncols; j++)
		attt_buf_done(&bufs[j]);
	gap(r, 4);
	return e;
}

/* ---- page furniture ---- */

static int json_str(const json_t *data, const char *key, const char **ret)
{
	const json_t *v = attt__docs_lookup(data, key);
	int e;
	if (!v) {
		*ret = NULL;
		return ATTT_OK;
	}
	if (!json_is_string(v))
		return ATTT_E_INVAL;
	if ((e = check_text(json_string_value(v))) < 0)
		return e;
	*ret = json_string_length(v) ? json_string_value(v) : NULL;
	return ATTT_OK;
}

/* Upper-cases a UTF-8 string for the issuing body (the paper form prints it in capitals). */
static char *upper(const char *s)
{
	return g_utf8_strup(s, -1);
}

static int draw_header(struct rd *r, const struct attt__docs_form *form, const json_t *data, const struct tm *date)
{
	const char *parent, *agency, *number, *place;
	const double lw = 0.42 * TEXT_W, rx = MARGIN_LEFT + lw, rw = TEXT_W - lw;
	double y0, yl, yr;
	char s[512];
	int e;

	if ((e = json_str(data, "agency_parent", &parent)) < 0 || (e = json_str(data, "agency", &agency)) < 0 ||
	    (e = json_str(data, "number", &number)) < 0 || (e = json_str(data, "place", &place)) < 0)
		return e;

	/* The form's own reference, top right. */
	if ((e = attt_str_printf(s, sizeof(s), "Mẫu số %s", form->id)) < 0)
		return e;
	text_block(r, s, rx, rw, 11, ST_BOLD, PANGO_ALIGN_CENTER);
	text_block(r, "Ban hành kèm theo Thông tư số 20/2017/TT-BTTTT ngày 12/9/2017 của Bộ Thông tin và Truyền thông",
		   rx, rw, 10, ST_ITALIC, PANGO_ALIGN_CENTER);
	gap(r, 10);
	y0 = r->y;

	/* Left: the issuing body, a short rule, the number and symbol. */
	if (parent) {
		char *u = upper(parent);
		text_block(r, u, MARGIN_LEFT, lw, 11.5, ST_REGULAR, PANGO_ALIGN_CENTER);
		g_free(u);
	}
	if (agency) {
		char *u = upper(agency);
		text_block(r, u, MARGIN_LEFT, lw, 12, ST_BOLD, PANGO_ALIGN_CENTER);
		g_free(u);
	} else {
		text_block(r, "TÊN CƠ QUAN, TỔ CHỨC " DOTS, MARGIN_LEFT, lw, 12, ST_BOLD, PANGO_ALIGN_CENTER);
	}
	hrule(r, MARGIN_LEFT + lw * 0.35, MARGIN_LEFT + lw * 0.65, r->y + 3);
	r->y += 9;
	if (number)
		e = attt_str_printf(s, sizeof(s), "Số: %s", number);
	else
		e = attt_str_printf(s, sizeof(s), "Số: %s/%s-%s", DOTS, form->symbol, DOTS);
	if (e < 0)
		return e;
	text_block(r, s, MARGIN_LEFT, lw, 12.5, ST_REGULAR, PANGO_ALIGN_CENTER);
	yl = r->y;

	/* Right: the national motto with its rule, then place and date. */
	r->y = y0;
	text_block(r, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", rx, rw, 12, ST_BOLD, PANGO_ALIGN_CENTER);
	{
		PangoLayout *l = mk_layout(r, "Độc lập - Tự do - Hạnh phúc", rw, 13, ST_BOLD, PANGO_ALIGN_CENTER);
		PangoRectangle ink;
		pango_layout_get_extents(l, NULL, &ink);
		double w = pango_units_to_double(ink.width);
		emit(r, l, rx, NULL);
		g_object_unref(l);
		hrule(r, rx + (rw - w) / 2, rx + (rw + w) / 2, r->y + 1);
	}
	r->y += 8;
	if (date)
		e = attt_str_printf(s, sizeof(s), "%s, ngày %02d tháng %02d năm %04d", place ? place : DOTS,
				    date->tm_mday, date->tm_mon + 1, date->tm_year + 1900);
	else
		e = attt_str_printf(s, sizeof(s), "%s, ngày %s tháng %s năm %s", place ? place : DOTS, DOTS, DOTS,
				    DOTS);
	if (e < 0)
		return e;
	text_block(r, s, rx, rw, 12.5, ST_ITALIC, PANGO_ALIGN_CENTER);
	yr = r->y;
	r->y = (yl > yr ? yl : yr) + 18;
	return ATTT_OK;
}

static int draw_title(struct rd *r, const struct attt__docs_form *form, const json_t *data)
{
	char s[512];
	int e;

	if (strstr(form->title, "%s")) {
		const char *kind;
		const char *label = "[06 THÁNG/ 01 NĂM]";
		if ((e = json_str(data, "period.kind", &kind)) < 0)
			return e;
		if (kind && strcmp(kind, "6m") == 0)
			label = "06 THÁNG";
		else if (kind && strcmp(kind, "1y") == 0)
			label = "01 NĂM";
		else if (kind)
			return ATTT_E_INVAL;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		e = attt_str_printf(s, sizeof(s), form->title, label);
#pragma GCC diagnostic pop
	} else {
		e = attt_str_copy(s, sizeof(s), form->title);
	}
	if (e < 0)
		return e;
	text_block(r, s, MARGIN_LEFT, TEXT_W, 14, ST_BOLD, PANGO_ALIGN_CENTER);
	gap(r, 10);
	return ATTT_OK;
}

/* Signature block on the right, "Nơi nhận" on the left; moved whole to a new page if needed. */
static int draw_signature(struct rd *r, const struct attt__docs_form *form, const json_t *data)
{
	const char *title, *name;
	const json_t *rcpt = attt__docs_lookup(data, "recipients");
	const double lw = 0.40 * TEXT_W, rx = MARGIN_LEFT + lw, rw = TEXT_W - lw;
	double need, y0, yl;
	int e;

	if ((e = json_str(data, "signer_title", &title)) < 0 || (e = json_str(data, "signer_name", &name)) < 0)
		return e;
	if (rcpt && !json_is_array(rcpt))
		return ATTT_E_INVAL;
	/* The right column (label, title, note, room for signature and seal, name) is ~135 pt; the
	 * recipients run beside it on the left. */
	need = 135;
	if (rcpt && 18 + 14.0 * (double)json_array_size(rcpt) > need)
		need = 18 + 14.0 * (double)json_array_size(rcpt);
	if (need > PAGE_H - MARGIN_TOP - MARGIN_BOTTOM)
		need = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM;
	gap(r, 12);
	if (r->y + need > PAGE_H - MARGIN_BOTTOM)
		new_page(r);
	y0 = r->y;
	if (rcpt && json_array_size(rcpt) > 0) {
		size_t i;
		json_t *it;
		text_block(r, "Nơi nhận:", MARGIN_LEFT, lw, 12, ST_BOLD | ST_ITALIC, PANGO_ALIGN_LEFT);
		json_array_foreach(rcpt, i, it)
		{
			char s[ATTT_MAX_NAME + 16];
			if (!json_is_string(it))
				return ATTT_E_INVAL;
			if ((e = check_text(json_string_value(it))) < 0)
				return e;
			if ((e = attt_str_printf(s, sizeof(s), "- %s;", json_string_value(it))) < 0)
				return e;
			text_block(r, s, MARGIN_LEFT, lw, 11, ST_REGULAR, PANGO_ALIGN_LEFT);
		}
	}
	yl = r->y;
	r->y = y0;
	text_block(r, form->signer_label, rx, rw, 11.5, ST_BOLD, PANGO_ALIGN_CENTER);
	if (title)
		text_block(r, title, rx, rw, 12, ST_BOLD, PANGO_ALIGN_CENTER);
	text_block(r, form->signer_note, rx, rw, 12, ST_ITALIC, PANGO_ALIGN_CENTER);
	r->y += 70;
	if (name)
		text_block(r, name, rx, rw, 12.5, ST_BOLD, PANGO_ALIGN_CENTER);
	if (yl > r->y)
		r->y = yl;
	return ATTT_OK;
}

static int draw_field(struct rd *r, const struct attt__docs_field *f, const json_t *data)
{
	const json_t *v = f->key ? attt__docs_lookup(data, f->key) : NULL;
	int e = ATTT_OK;

	switch (f->kind) {
	case DK_HEAD:
		gap(r, 4);
		text_block(r, f->label, MARGIN_LEFT, TEXT_W, BODY_PT, ST_BOLD, PANGO_ALIGN_LEFT);
		break;
	case DK_TEXT:
		e = draw_text(r, f, v);
		break;
	case DK_MULTI:
		gap(r, 4);
		e = draw_multi(r, f, v);
		break;
	case DK_CHECKS:
		gap(r, 2);
		e = draw_checks(r, f, v);
		break;
	case DK_DATE:
	case DK_TIME:
	case DK_DATETIME:
		if (f->flags & DF_BOLD)
			gap(r, 4);
		e = draw_time(r, f, v);
		break;
	case DK_PERIOD:
		e = draw_period(r, f, v);
		break;
	case DK_TABLE:
		e = draw_table(r, f, v);
		break;
	}
	if (e < 0)
		log_debug("docs: field %s: %s", f->key ? f->key : f->label, attt_strerror(e));
	return e;
}

/* The Liberation Serif faces must be the ones fontconfig gives us, or the document is not what the
 * forms require (and pdffonts would show another font). */
static int check_font(PangoContext *pc)
{
	static const int styles[] = { ST_REGULAR, ST_BOLD, ST_ITALIC, ST_BOLD | ST_ITALIC };
	int e = ATTT_OK;

	for (size_t i = 0; i < sizeof(styles) / sizeof(styles[0]) && e == ATTT_OK; i++) {
		PangoFontDescription *fd = pango_font_description_from_string(FONT_FAMILY " 12");
		pango_font_description_set_weight(fd, (styles[i] & ST_BOLD) ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
		pango_font_description_set_style(fd, (styles[i] & ST_ITALIC) ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL);
		PangoFont *font = pango_context_load_font(pc, fd);
		if (!font) {
			e = ATTT_E_CONFIG;
		} else {
			PangoFontDescription *got = pango_font_describe(font);
			const char *fam = pango_font_description_get_family(got);
			if (!fam || strcmp(fam, FONT_FAMILY) != 0)
				e = ATTT_E_CONFIG;
			/* Debian's fonts-liberation 1.07 has no Vietnamese letters (Ư, ộ, ự ...): only
			 * fonts-liberation2 does. Refuse rather than draw boxes. */
			else if (!pango_font_has_char(font, 0x01B0) || !pango_font_has_char(font, 0x1ED9) ||
				 !pango_font_has_char(font, 0x1EF1))
				e = ATTT_E_CONFIG;
			pango_font_description_free(got);
			g_object_unref(font);
		}
		pango_font_description_free(fd);
	}
	if (e < 0)
		log_debug("docs: the font %s with Vietnamese letters is not installed (Debian package "
			  "fonts-liberation2)", FONT_FAMILY);
	return e;
}

bool attt_docs_form_known(const char *form)
{
	return attt__docs_form_find(form) != NULL;
}

int attt_docs_render_form(const char *form, const json_t *data, struct attt_buf *ret_pdf,
			  struct attt_docs_info *info)
{
	const struct attt__docs_form *fm = attt__docs_form_find(form);
	struct attt_buf pdf;
	struct rd r;
	struct tm date, *datep = NULL;
	const json_t *dv;
	char meta[64];
	cairo_font_options_t *fo = NULL;
	int e = ATTT_OK;

	memset(&r, 0, sizeof(r));
	attt_buf_init(&pdf, ret_pdf->max < ATTT_DOCS_MAX_PDF ? ret_pdf->max : ATTT_DOCS_MAX_PDF);
	if (!fm)
		return ATTT_E_NOTFOUND;
	if (!json_is_object(data))
		return ATTT_E_INVAL;
	dv = attt__docs_lookup(data, "date");
	if (dv) {
		if ((e = value_time(dv, &date)) < 0)
			return e;
		datep = &date;
	}

	r.out = &pdf;
	r.pages = 1;
	r.y = MARGIN_TOP;
	r.surf = cairo_pdf_surface_create_for_stream(write_cb, &r, PAGE_W, PAGE_H);
	r.cr = cairo_create(r.surf);
	if (cairo_status(r.cr) != CAIRO_STATUS_SUCCESS) {
		e = ATTT_E_INTERNAL;
		goto out;
	}
	/* The document's dates come from the data, never from the clock: same data, same file. */
	if (datep) {
		if ((e = attt_str_printf(meta, sizeof(meta), "%04d-%02d-%02dT00:00:00+07:00", date.tm_year + 1900,
					 date.tm_mon + 1, date.tm_mday)) < 0)
			goto out;
	} else if ((e = attt_str_copy(meta, sizeof(meta), "2000-01-01T00:00:00Z")) < 0) {
		goto out;
	}
	cairo_pdf_surface_set_metadata(r.surf, CAIRO_PDF_METADATA_CREATE_DATE, meta);
	cairo_pdf_surface_set_metadata(r.surf, CAIRO_PDF_METADATA_MOD_DATE, meta);
	cairo_pdf_surface_set_metadata(r.surf, CAIRO_PDF_METADATA_CREATOR, "attt");
	cairo_pdf_surface_set_metadata(r.surf, CAIRO_PDF_METADATA_TITLE, fm->title);

	r.pc = pango_cairo_create_context(r.cr);
	fo = cairo_font_options_create();
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	pango_cairo_context_set_font_options(r.pc, fo);
	pango_context_set_round_glyph_positions(r.pc, FALSE);
	if ((e = check_font(r.pc)) < 0)
		goto out;
	cairo_set_source_rgb(r.cr, 0, 0, 0);

	if ((e = draw_header(&r, fm, data, datep)) < 0)
		goto out;
	if ((e = draw_title(&r, fm, data)) < 0)
		goto out;
	for (size_t i = 0; fm->fields[i].label && !r.err; i++)
		if ((e = draw_field(&r, &fm->fields[i], data)) < 0)
			goto out;
	if ((e = draw_signature(&r, fm, data)) < 0)
		goto out;
	if (fm->notes) {
		gap(&r, 12);
		for (size_t i = 0; fm->notes[i]; i++)
			text_block(&r, fm->notes[i], MARGIN_LEFT, TEXT_W, 10.5, ST_ITALIC, PANGO_ALIGN_LEFT);
	}
	if (r.err) {
		e = r.err;
		goto out;
	}
	cairo_show_page(r.cr);
	cairo_destroy(r.cr);
	r.cr = NULL;
	cairo_surface_finish(r.surf);
	if (r.err) {
		e = r.err;
		goto out;
	}
	if (cairo_surface_status(r.surf) != CAIRO_STATUS_SUCCESS) {
		e = ATTT_E_INTERNAL;
		goto out;
	}
	if ((e = attt_buf_add(ret_pdf, pdf.data, pdf.len)) < 0)
		goto out;
	if (info) {
		info->pages = r.pages;
		info->unknown_glyphs = r.unknown;
	}
out:
	if (fo)
		cairo_font_options_destroy(fo);
	if (r.pc)
		g_object_unref(r.pc);
	if (r.cr)
		cairo_destroy(r.cr);
	if (r.surf) {
		/* Finishing writes the rest of the file; on an error the writes are discarded with pdf. */
		cairo_surface_finish(r.surf);
		cairo_surface_destroy(r.surf);
	}
	attt_buf_done(&pdf);
	return e;
}

int attt_docs_render_form_file(const char *form, const json_t *data, const char *path,
			       struct attt_docs_info *info)
{
	struct attt_buf pdf;
	struct attt_docs_info inf;
	char tmp[ATTT_MAX_PATH];
	int fd = -1, e;
	size_t off = 0;

	attt_buf_init(&pdf, ATTT_DOCS_MAX_PDF);
	tmp[0] = '\0';
	if ((e = attt_docs_render_form(form, data, &pdf, &inf)) < 0)
		goto out;
	if ((e = attt_str_printf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path)) < 0)
		goto out;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		tmp[0] = '\0';
		e = log_debug_err(ATTT_E_IO, "docs: cannot create a file next to %s: %s", path, strerror(errno));
		goto out;
	}
	while (off < pdf.len) {
		ssize_t n = write(fd, pdf.data + off, pdf.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = ATTT_E_IO;
			goto out;
		}
		off += (size_t)n;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		e = ATTT_E_IO;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		e = log_debug_err(ATTT_E_IO, "docs: cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	tmp[0] = '\0';
	if (info)
		*info = inf;
out:
	if (fd >= 0)
		close(fd);
	if (tmp[0])
		unlink(tmp);
	attt_buf_done(&pdf);
	return e;
}

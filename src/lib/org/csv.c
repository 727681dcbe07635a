/*
 * csv.c: the strict RFC 4180 reader (see csv-int.h for the rules and why they are strict).
 * One pass over the bytes; the unquoted fields of a record are appended to one buffer, each
 * NUL-terminated, and the record is checked (UTF-8, controls, sizes) before it is returned.
 */
#include <string.h>

#include "attt/err.h"
#include "attt/str.h"
#include "csv-int.h"

static int fail(struct attt__org_csv *c, int err, size_t line, const char *vi, const char *en)
{
	c->err_line = line;
	c->err_vi = vi;
	c->err_en = en;
	c->pos = c->len; /* no resynchronising: the rest of the file is not read */
	return err;
}

int attt__org_csv_init(struct attt__org_csv *c, const char *data, size_t len)
{
	memset(c, 0, sizeof(*c));
	c->data = data;
	c->len = len;
	c->line = 1;
	attt_buf_init(&c->buf, ATTT_MAX_LINE + ATTT_MAX_CSV_FIELDS);
	if (len > ATTT_MAX_CSV_FILE)
		return fail(c, ATTT_E_TOOBIG, 0, "tệp quá lớn", "file too large");
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		c->pos = 3;
	return ATTT_OK;
}

void attt__org_csv_done(struct attt__org_csv *c)
{
	attt_buf_done(&c->buf);
}

static int end_field(struct attt__org_csv *c, size_t start)
{
	const char *f = c->buf.data ? c->buf.data + start : "";
	size_t n = c->buf.len - start;

	if (c->nfields >= ATTT_MAX_CSV_FIELDS)
		return fail(c, ATTT_E_TOOBIG, c->rec_line, "dòng có quá nhiều cột", "too many fields in the row");
	if (memchr(f, '\0', n))
		return fail(c, ATTT_E_PARSE, c->rec_line, "có ký tự NUL", "embedded NUL byte");
	if (!attt_utf8_valid(f, n))
		return fail(c, ATTT_E_PARSE, c->rec_line, "không phải UTF-8 hợp lệ hoặc có ký tự điều khiển",
			    "invalid UTF-8 or a control character");
	c->off[c->nfields] = start;
	c->flen[c->nfields] = n;
	c->nfields++;
	if (attt_buf_addc(&c->buf, '\0') < 0)
		return fail(c, ATTT_E_TOOBIG, c->rec_line, "dòng quá dài", "row too long");
	return ATTT_OK;
}

int attt__org_csv_next(struct attt__org_csv *c)
{
	const char *d = c->data;
	size_t start;
	int r;

	attt_buf_reset(&c->buf);
	c->nfields = 0;
	/* Skip blank lines. */
	while (c->pos < c->len && (d[c->pos] == '\n' || (d[c->pos] == '\r' && c->pos + 1 < c->len && d[c->pos + 1] == '\n'))) {
		c->pos += d[c->pos] == '\r' ? 2 : 1;
		c->line++;
	}
	if (c->pos >= c->len)
		return 0;
	if (c->rows >= ATTT_MAX_CSV_ROWS)
		return fail(c, ATTT_E_TOOBIG, c->line, "quá nhiều dòng", "too many rows");
	c->rec_line = c->line;
	for (;;) {
		/* At the start of a field. */
		start = c->buf.len;
		if (c->pos < c->len && d[c->pos] == '"') {
			c->pos++;
			for (;;) {
				const char *q;
				size_t chunk;
				if (c->pos >= c->len)
					return fail(c, ATTT_E_PARSE, c->rec_line, "thiếu dấu \" đóng", "unterminated quoted field");
				q = memchr(d + c->pos, '"', c->len - c->pos);
				chunk = (q ? (size_t)(q - d) : c->len) - c->pos;
				for (size_t i = 0; i < chunk; i++)
					if (d[c->pos + i] == '\n')
						c->line++;
				if (attt_buf_add(&c->buf, d + c->pos, chunk) < 0)
					return fail(c, ATTT_E_TOOBIG, c->rec_line, "dòng quá dài", "row too long");
				c->pos += chunk;
				if (!q)
					continue; /* reports the missing quote */
				c->pos++; /* the quote */
				if (c->pos < c->len && d[c->pos] == '"') {
					if (attt_buf_addc(&c->buf, '"') < 0)
						return fail(c, ATTT_E_TOOBIG, c->rec_line, "dòng quá dài", "row too long");
					c->pos++;
					continue;
				}
				break;
			}
			if (c->pos < c->len && d[c->pos] != ',' && d[c->pos] != '\n' && d[c->pos] != '\r')
				return fail(c, ATTT_E_PARSE, c->line, "ký tự sau dấu \" đóng", "text after a closing quote");
		} else {
			size_t s = c->pos;
			while (c->pos < c->len && d[c->pos] != ',' && d[c->pos] != '\n' && d[c->pos] != '\r') {
				if (d[c->pos] == '"')
					return fail(c, ATTT_E_PARSE, c->line, "dấu \" trong trường không có ngoặc kép",
						    "quote inside an unquoted field");
				c->pos++;
			}
			if (attt_buf_add(&c->buf, d + s, c->pos - s) < 0)
				return fail(c, ATTT_E_TOOBIG, c->rec_line, "dòng quá dài", "row too long");
		}
		r = end_field(c, start);
		if (r < 0)
			return r;
		if (c->pos >= c->len)
			break;
		if (d[c->pos] == ',') {
			c->pos++;
			continue;
		}
		if (d[c->pos] == '\r') {
			if (c->pos + 1 >= c->len || d[c->pos + 1] != '\n')
				return fail(c, ATTT_E_PARSE, c->line, "ký tự CR đứng một mình", "lone carriage return");
			c->pos++;
		}
		c->pos++; /* '\n' */
		c->line++;
		break;
	}
	c->rows++;
	return 1;
}

const char *attt__org_csv_field(const struct attt__org_csv *c, size_t i, size_t *ret_len)
{
	if (ret_len)
		*ret_len = c->flen[i];
	return c->buf.data ? c->buf.data + c->off[i] : "";
}

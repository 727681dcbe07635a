/*
 * test_config.c: the configuration loader (src/lib/config). Bad inputs are a table: each line of
 * text gives the exact error, with its line, that an operator reads. Good inputs check the typed
 * getters, defaults, path resolution, secrets masking and the option table itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "attt/config.h"
#include "attt/err.h"
#include "attt/limits.h"

struct bad_case {
	const char *text;
	int err;
	const char *msg;
};

/* Each bad file and the exact message it must give. Add a row to add a case. */
static const struct bad_case bad_cases[] = {
	{ "[htp]\nlisten = 127.0.0.1:1\n", ATTT_E_CONFIG, "t.ini:1: mục không có: [htp] (unknown section)" },
	{ "[http]\nthreads = 1\n[nothing]\n", ATTT_E_CONFIG, "t.ini:3: mục không có: [nothing] (unknown section)" },
	{ "[http]\nlisten = 127.0.0.1:8080\nlistne = 1\n", ATTT_E_CONFIG,
	  "t.ini:3: khóa không có: http.listne (unknown key)" },
	{ "[http]\nthreads = 1\n\nthreads = 2\n", ATTT_E_CONFIG,
	  "t.ini:4: khóa http.threads đã đặt ở dòng 2 (key already set at line 2)" },
	{ "[http]\nthreads = 1\n[log]\nlevel = info\n[http]\nthreads = 2\n", ATTT_E_CONFIG,
	  "t.ini:6: khóa http.threads đã đặt ở dòng 2 (key already set at line 2)" },
	{ "[http]\nthreads = abc\n", ATTT_E_CONFIG, "t.ini:2: http.threads: cần một số nguyên (integer expected)" },
	{ "[http]\nthreads = 4.5\n", ATTT_E_CONFIG, "t.ini:2: http.threads: cần một số nguyên (integer expected)" },
	{ "[http]\nthreads = 65\n", ATTT_E_CONFIG, "t.ini:2: http.threads: giá trị phải từ 0 đến 64 (value must be 0 to 64)" },
	{ "[http]\nthreads = -1\n", ATTT_E_CONFIG, "t.ini:2: http.threads: giá trị phải từ 0 đến 64 (value must be 0 to 64)" },
	{ "[http]\nconnection_timeout_s = 0\n", ATTT_E_CONFIG,
	  "t.ini:2: http.connection_timeout_s: giá trị phải từ 1 đến 3600 (value must be 1 to 3600)" },
	/* R7.1: checkpoints at least every minute and every thousand events */
	{ "[audit]\ncheckpoint_interval_s = 61\n", ATTT_E_CONFIG,
	  "t.ini:2: audit.checkpoint_interval_s: giá trị phải từ 1 đến 60 (value must be 1 to 60)" },
	{ "[audit]\ncheckpoint_events = 1001\n", ATTT_E_CONFIG,
	  "t.ini:2: audit.checkpoint_events: giá trị phải từ 1 đến 1000 (value must be 1 to 1000)" },
	{ "[audit]\nsyslog = maybe\n", ATTT_E_CONFIG, "t.ini:2: audit.syslog: cần true hoặc false (true or false expected)" },
	{ "[log]\nlevel = verbose\n", ATTT_E_CONFIG,
	  "t.ini:2: log.level: giá trị phải là một trong: debug, info, warn, error, off (value must be one of: debug, "
	  "info, warn, error, off)" },
	{ "[log]\nformat = xml\n", ATTT_E_CONFIG,
	  "t.ini:2: log.format: giá trị phải là một trong: auto, text, json (value must be one of: auto, text, json)" },
	{ "[http]\nlisten = 127.0.0.1\n", ATTT_E_CONFIG,
	  "t.ini:2: http.listen: cần host:port với cổng 1..65535, ví dụ 127.0.0.1:8080 hoặc [::1]:8080 (host:port with "
	  "port 1..65535 expected, e.g. 127.0.0.1:8080 or [::1]:8080)" },
	{ "[http]\nlisten = 127.0.0.1:0\n", ATTT_E_CONFIG,
	  "t.ini:2: http.listen: cần host:port với cổng 1..65535, ví dụ 127.0.0.1:8080 hoặc [::1]:8080 (host:port with "
	  "port 1..65535 expected, e.g. 127.0.0.1:8080 or [::1]:8080)" },
	{ "[http]\nlisten = 127.0.0.1:65536\n", ATTT_E_CONFIG,
	  "t.ini:2: http.listen: cần host:port với cổng 1..65535, ví dụ 127.0.0.1:8080 hoặc [::1]:8080 (host:port with "
	  "port 1..65535 expected, e.g. 127.0.0.1:8080 or [::1]:8080)" },
	{ "[http]\nlisten = my host:80\n", ATTT_E_CONFIG,
	  "t.ini:2: http.listen: cần host:port với cổng 1..65535, ví dụ 127.0.0.1:8080 hoặc [::1]:8080 (host:port with "
	  "port 1..65535 expected, e.g. 127.0.0.1:8080 or [::1]:8080)" },
	{ "[http]\nlisten = [::1:80\n", ATTT_E_CONFIG,
	  "t.ini:2: http.listen: cần host:port với cổng 1..65535, ví dụ 127.0.0.1:8080 hoặc [::1]:8080 (host:port with "
	  "port 1..65535 expected, e.g. 127.0.0.1:8080 or [::1]:8080)" },
	{ "[http]\nlisten = 127.0.0.1:80\ntls_cert = /etc/attt/cert.pem\n", ATTT_E_CONFIG,
	  "t.ini:3: http.tls_cert và http.tls_key phải đặt cả hai hoặc không đặt (set both http.tls_cert and "
	  "http.tls_key, or neither)" },
	{ "[http]\ntls_key = /etc/attt/key.pem\n", ATTT_E_CONFIG,
	  "t.ini:2: http.tls_cert và http.tls_key phải đặt cả hai hoặc không đặt (set both http.tls_cert and "
	  "http.tls_key, or neither)" },
	{ "threads = 1\n", ATTT_E_CONFIG, "t.ini:1: khóa threads nằm ngoài mọi mục, cần [mục] trước (key outside any section)" },
	{ "[http]\nnonsense\n", ATTT_E_PARSE,
	  "t.ini:2: dòng không hợp lệ, cần [mục] hoặc khóa = giá trị (invalid line, expected [section] or key = value)" },
	{ "[http\nthreads = 1\n", ATTT_E_PARSE,
	  "t.ini:1: dòng không hợp lệ, cần [mục] hoặc khóa = giá trị (invalid line, expected [section] or key = value)" },
	{ "[audit]\nwitness_urls = https://w1.example/cp, ftp://w2.example\n", ATTT_E_CONFIG,
	  "t.ini:2: cần URL http:// hoặc https:// không có khoảng trắng: ftp://w2.example (http:// or https:// URL "
	  "without spaces expected)" },
	/* R7.1: the checkpoint origin is a signed-note key name. */
	{ "[audit]\norigin = So TT+TT\n", ATTT_E_CONFIG,
	  "t.ini:2: audit.origin: cần tên khoá không có khoảng trắng, không có '+', tối đa 256 byte (a key name without "
	  "spaces or '+', at most 256 bytes, expected)" },
	{ "[audit]\norigin = stttt.thainguyen.gov.vn+x\n", ATTT_E_CONFIG,
	  "t.ini:2: audit.origin: cần tên khoá không có khoảng trắng, không có '+', tối đa 256 byte (a key name without "
	  "spaces or '+', at most 256 bytes, expected)" },
	{ "[mail]\nsmtp_url = mail.example:25\n", ATTT_E_CONFIG,
	  "t.ini:2: mail.smtp_url: cần URL smtp:// hoặc smtps:// (smtp:// or smtps:// URL expected)" },
	{ "[mail]\nfrom = attt\n", ATTT_E_CONFIG,
	  "t.ini:2: mail.from: cần một địa chỉ thư như attt@thainguyen.gov.vn (an e-mail address such as "
	  "attt@thainguyen.gov.vn expected)" },
	{ "[http]\n\nthreads = 2\nlisten = 127.0.0.1:1\xff\n", ATTT_E_PARSE,
	  "t.ini:4: dòng chứa byte không hợp lệ: UTF-8 sai, NUL hoặc ký tự điều khiển (invalid UTF-8, NUL or control "
	  "character)" },
	{ "[log]\nlevel = info\x01\n", ATTT_E_PARSE,
	  "t.ini:2: dòng chứa byte không hợp lệ: UTF-8 sai, NUL hoặc ký tự điều khiển (invalid UTF-8, NUL or control "
	  "character)" },
	{ "[http] threads = 2\n", ATTT_E_PARSE, "t.ini:1: thừa ký tự sau ] (unexpected text after ])" },
	{ "[http] ; comment\nthreads = 2\n[log]\t\r\nlevel = x\n", ATTT_E_CONFIG,
	  "t.ini:4: log.level: giá trị phải là một trong: debug, info, warn, error, off (value must be one of: debug, "
	  "info, warn, error, off)" },
	{ "[a_section_name_that_is_much_longer_than_fifty_bytes_in_total]\n", ATTT_E_PARSE,
	  "t.ini:1: tên mục dài quá 48 byte (section name longer than 48 bytes)" },
};

static void test_config_load__bad_inputs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct attt_config *cfg = NULL;
		char err[1024] = "";
		int r = attt_config_load_string(bad_cases[i].text, strlen(bad_cases[i].text), "t.ini", &cfg, err,
						sizeof(err));
		if (r != bad_cases[i].err || strcmp(err, bad_cases[i].msg) != 0)
			fail_msg("case %zu: got %d \"%s\", want %d \"%s\"", i, r, err, bad_cases[i].err, bad_cases[i].msg);
		assert_null(cfg);
	}
}

static void test_config_load__nul_byte(void **state)
{
	static const char text[] = "[http]\nthreads = 1\0\n";
	struct attt_config *cfg = NULL;
	char err[512];
	(void)state;
	assert_int_equal(attt_config_load_string(text, sizeof(text) - 1, "t.ini", &cfg, err, sizeof(err)), ATTT_E_PARSE);
	assert_non_null(strstr(err, "t.ini:2: "));
}

static void test_config_load__long_line(void **state)
{
	size_t n = ATTT_MAX_LINE + 100;
	char *text = malloc(n + 1), err[512];
	struct attt_config *cfg = NULL;
	(void)state;
	assert_non_null(text);
	memcpy(text, "[mail]\nusername = ", 18);
	memset(text + 18, 'a', n - 18);
	text[n] = '\0';
	assert_int_equal(attt_config_load_string(text, n, "t.ini", &cfg, err, sizeof(err)), ATTT_E_PARSE);
	assert_string_equal(err, "t.ini:2: dòng dài quá 65533 byte (line longer than 65533 bytes)");
	/* A long line that fits is read whole: libinih's 200-byte default does not apply. */
	memset(text + 18, 'a', 5000 - 18);
	text[5000] = '\0';
	assert_int_equal(attt_config_load_string(text, 5000, "t.ini", &cfg, err, sizeof(err)), ATTT_OK);
	assert_int_equal(strlen(attt_config_string(cfg, "mail.username")), 5000 - 18);
	attt_config_free(cfg);
	free(text);
}

static void test_config_load__defaults(void **state)
{
	struct attt_config *cfg = NULL;
	const char *const *items = NULL;
	size_t n = 99;
	char err[256];
	(void)state;
	assert_int_equal(attt_config_load(NULL, &cfg, err, sizeof(err)), ATTT_OK);
	assert_null(attt_config_path(cfg));
	assert_string_equal(attt_config_string(cfg, "http.listen"), "127.0.0.1:8080");
	assert_int_equal(attt_config_int(cfg, "http.threads"), 0);
	assert_int_equal(attt_config_int(cfg, "http.max_connections"), 1024);
	assert_int_equal(attt_config_int(cfg, "http.connection_timeout_s"), 30);
	assert_string_equal(attt_config_string(cfg, "http.access_log"), "");
	assert_string_equal(attt_config_string(cfg, "http.static_dir"), "");
	assert_string_equal(attt_config_string(cfg, "log.level"), "info");
	assert_string_equal(attt_config_string(cfg, "log.format"), "auto");
	assert_string_equal(attt_config_string(cfg, "policy.profile"), "thai-nguyen-10-2020");
	assert_string_equal(attt_config_string(cfg, "audit.checkpoint_file"), "");
	assert_string_equal(attt_config_string(cfg, "audit.origin"), "");
	assert_int_equal(attt_config_int(cfg, "audit.checkpoint_interval_s"), 60);
	assert_int_equal(attt_config_int(cfg, "audit.checkpoint_events"), 1000);
	assert_true(attt_config_bool(cfg, "audit.syslog"));
	assert_int_equal(attt_config_get_list(cfg, "audit.witness_urls", &items, &n), ATTT_OK);
	assert_int_equal(n, 0);
	assert_null(items[0]);
	assert_string_equal(attt_config_string(cfg, "mail.password"), "");
	assert_int_equal(attt_config_source_of(cfg, "http.listen"), ATTT_CONFIG_FROM_DEFAULT);
	assert_int_equal(attt_config_line_of(cfg, "http.listen"), 0);
	attt_config_free(cfg);
	attt_config_free(NULL);
}

static void test_config_load__values_and_getters(void **state)
{
	static const char text[] = "\xEF\xBB\xBF; attt.ini\r\n"
				   "[http]\r\n"
				   "  listen = [::1]:8443   ; inline comment\r\n"
				   "threads = 8\n"
				   "tls_cert = cert.pem\n"
				   "tls_key = /etc/attt/key.pem\n"
				   "access_log = -\n"
				   "# another comment\n"
				   "[log]\n"
				   "level = debug\n"
				   "[policy]\n"
				   "profile = national-2026\n"
				   "[audit]\n"
				   "witness_urls = https://w1.example/cp , , http://w2.example:8080/x\n"
				   "syslog = off\n"
				   "[mail]\n"
				   "password = s3cret!\n";
	struct attt_config *cfg = NULL;
	const char *s = NULL, *const *items = NULL;
	int64_t i = 0;
	bool b = true;
	size_t n = 0;
	char err[256];
	(void)state;

	assert_int_equal(attt_config_load_string(text, sizeof(text) - 1, "/srv/attt/attt.ini", &cfg, err, sizeof(err)),
			 ATTT_OK);
	assert_string_equal(attt_config_path(cfg), "/srv/attt/attt.ini");
	assert_string_equal(attt_config_string(cfg, "http.listen"), "[::1]:8443");
	assert_int_equal(attt_config_line_of(cfg, "http.listen"), 3);
	assert_int_equal(attt_config_source_of(cfg, "http.listen"), ATTT_CONFIG_FROM_FILE);
	assert_int_equal(attt_config_get_int(cfg, "http.threads", &i), ATTT_OK);
	assert_int_equal(i, 8);
	/* Relative paths are resolved against the file's directory; "-" and absolute ones are kept. */
	assert_string_equal(attt_config_string(cfg, "http.tls_cert"), "/srv/attt/cert.pem");
	assert_string_equal(attt_config_string(cfg, "http.tls_key"), "/etc/attt/key.pem");
	assert_string_equal(attt_config_string(cfg, "http.access_log"), "-");
	/* A profile name is not a path. */
	assert_string_equal(attt_config_string(cfg, "policy.profile"), "national-2026");
	assert_int_equal(attt_config_get_string(cfg, "log.level", &s), ATTT_OK);
	assert_string_equal(s, "debug");
	assert_int_equal(attt_config_get_bool(cfg, "audit.syslog", &b), ATTT_OK);
	assert_false(b);
	assert_int_equal(attt_config_get_list(cfg, "audit.witness_urls", &items, &n), ATTT_OK);
	assert_int_equal(n, 2);
	assert_string_equal(items[0], "https://w1.example/cp");
	assert_string_equal(items[1], "http://w2.example:8080/x");
	assert_null(items[2]);
	assert_string_equal(attt_config_string(cfg, "mail.password"), "s3cret!");

	/* Wrong names and types. */
	assert_int_equal(attt_config_get_int(cfg, "http.nope", &i), ATTT_E_NOTFOUND);
	assert_int_equal(attt_config_get_int(cfg, "http.listen", &i), ATTT_E_INVAL);
	assert_int_equal(attt_config_get_string(cfg, "http.threads", &s), ATTT_E_INVAL);
	assert_int_equal(attt_config_get_bool(cfg, "http.threads", &b), ATTT_E_INVAL);
	assert_int_equal(attt_config_get_list(cfg, "http.threads", &items, &n), ATTT_E_INVAL);
	assert_string_equal(attt_config_string(cfg, "nope.nope"), "");
	assert_int_equal(attt_config_int(cfg, "nope.nope"), 0);
	assert_false(attt_config_bool(cfg, "nope.nope"));
	attt_config_free(cfg);
}

static void test_config_load__profile_path(void **state)
{
	static const char text[] = "[policy]\nprofile = local/my-profile.ini\n";
	static const char text2[] = "[policy]\nprofile = my.ini\n";
	struct attt_config *cfg = NULL;
	char err[256];
	(void)state;
	assert_int_equal(attt_config_load_string(text, sizeof(text) - 1, "/srv/attt/attt.ini", &cfg, err, sizeof(err)),
			 ATTT_OK);
	assert_string_equal(attt_config_string(cfg, "policy.profile"), "/srv/attt/local/my-profile.ini");
	attt_config_free(cfg);
	assert_int_equal(attt_config_load_string(text2, sizeof(text2) - 1, "/srv/attt/attt.ini", &cfg, err, sizeof(err)),
			 ATTT_OK);
	assert_string_equal(attt_config_string(cfg, "policy.profile"), "/srv/attt/my.ini");
	attt_config_free(cfg);
}

/* R7.1: the checkpoint copy must survive the loss of the data directory. */
static void test_config_load__checkpoint_outside_data_dir(void **state)
{
	static const char inside[] = "[audit]\ncheckpoint_file = /srv/attt/sub/cp.txt\n";
	static const char relative[] = "[audit]\ncheckpoint_file = cp.txt\n";
	static const char outside[] = "[audit]\ncheckpoint_file = /var/backups/attt-cp.txt\n";
	struct attt_config *cfg = NULL;
	char err[512];
	(void)state;
	assert_int_equal(attt_config_load_string(inside, sizeof(inside) - 1, "/srv/attt/attt.ini", &cfg, err, sizeof(err)),
			 ATTT_E_CONFIG);
	assert_string_equal(err, "/srv/attt/attt.ini:2: audit.checkpoint_file phải nằm ngoài thư mục dữ liệu /srv/attt, "
				 "để bản sao còn lại khi thư mục bị xóa hoặc sửa (must be outside the data directory)");
	assert_int_equal(attt_config_load_string(relative, sizeof(relative) - 1, "/srv/attt/attt.ini", &cfg, err,
						 sizeof(err)),
			 ATTT_E_CONFIG);
	assert_int_equal(attt_config_load_string(outside, sizeof(outside) - 1, "/srv/attt/attt.ini", &cfg, err,
						 sizeof(err)),
			 ATTT_OK);
	assert_string_equal(attt_config_string(cfg, "audit.checkpoint_file"), "/var/backups/attt-cp.txt");
	attt_config_free(cfg);
}

static void test_config_to_json__masks_secrets(void **state)
{
	static const char text[] = "[mail]\nusername = attt\npassword = s3cret!\n[http]\nthreads = 3\n";
	struct attt_config *cfg = NULL;
	json_t *j = NULL, *o;
	char err[256], *dump;
	size_t i;
	int seen = 0;
	(void)state;
	assert_int_equal(attt_config_load_string(text, sizeof(text) - 1, "t.ini", &cfg, err, sizeof(err)), ATTT_OK);
	assert_int_equal(attt_config_to_json(cfg, &j), ATTT_OK);
	dump = json_dumps(j, 0);
	assert_null(strstr(dump, "s3cret"));
	free(dump);
	json_array_foreach(json_object_get(j, "options"), i, o) {
		const char *name = json_string_value(json_object_get(o, "name"));
		if (strcmp(name, "mail.password") == 0) {
			assert_string_equal(json_string_value(json_object_get(o, "value")), "********");
			assert_true(json_is_true(json_object_get(o, "secret")));
			assert_string_equal(json_string_value(json_object_get(o, "source")), "file");
			assert_int_equal(json_integer_value(json_object_get(o, "line")), 3);
			seen++;
		} else if (strcmp(name, "http.threads") == 0) {
			assert_int_equal(json_integer_value(json_object_get(o, "value")), 3);
			seen++;
		} else if (strcmp(name, "http.listen") == 0) {
			assert_string_equal(json_string_value(json_object_get(o, "source")), "default");
			seen++;
		}
	}
	assert_int_equal(seen, 3);
	assert_int_equal(json_array_size(json_object_get(j, "options")), attt_config_option_count());
	json_decref(j);
	attt_config_free(cfg);

	/* An empty secret shows as empty, so an operator sees it is not set. */
	assert_int_equal(attt_config_load(NULL, &cfg, err, sizeof(err)), ATTT_OK);
	assert_int_equal(attt_config_to_json(cfg, &j), ATTT_OK);
	json_array_foreach(json_object_get(j, "options"), i, o)
		if (strcmp(json_string_value(json_object_get(o, "name")), "mail.password") == 0)
			assert_string_equal(json_string_value(json_object_get(o, "value")), "");
	json_decref(j);
	attt_config_free(cfg);
}

static void test_config_option__table(void **state)
{
	(void)state;
	assert_true(attt_config_option_count() >= 20);
	for (size_t i = 0; i < attt_config_option_count(); i++) {
		const struct attt_config_option *o = attt_config_option_at(i);
		assert_non_null(strchr(o->name, '.'));
		assert_true(o->vi[0] && o->en[0]);
		assert_non_null(o->def);
		assert_ptr_equal(attt_config_option_find(o->name), o);
		if (o->type == ATTT_CONFIG_ENUM)
			assert_non_null(o->words);
		for (size_t k = i + 1; k < attt_config_option_count(); k++)
			assert_string_not_equal(o->name, attt_config_option_at(k)->name);
	}
	assert_null(attt_config_option_at(attt_config_option_count()));
	assert_null(attt_config_option_find("http.nope"));
	assert_true(attt_config_option_find("mail.password")->secret);
}

static void test_config_load__file(void **state)
{
	char dir[] = "/tmp/attt-test-config-XXXXXX", path[256], err[512];
	struct attt_config *cfg = NULL;
	FILE *f;
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/attt.ini", dir);
	assert_int_equal(attt_config_load(path, &cfg, err, sizeof(err)), ATTT_E_NOTFOUND);
	assert_non_null(strstr(err, path));
	f = fopen(path, "we");
	assert_non_null(f);
	fputs("[http]\nthreads = 2\n[log]\nlevel = loud\n", f);
	fclose(f);
	assert_int_equal(attt_config_load(path, &cfg, err, sizeof(err)), ATTT_E_CONFIG);
	assert_non_null(strstr(err, ":4: log.level: "));
	assert_int_equal(strncmp(err, path, strlen(path)), 0);
	f = fopen(path, "we");
	fputs("[http]\nthreads = 2\n", f);
	fclose(f);
	assert_int_equal(attt_config_load(path, &cfg, err, sizeof(err)), ATTT_OK);
	assert_int_equal(attt_config_int(cfg, "http.threads"), 2);
	attt_config_free(cfg);
	unlink(path);
	rmdir(dir);
}

/* Every option in the table is documented in docs/configuration.md. */
static void test_config_option__documented(void **state)
{
	const char *src = getenv("ATTT_SOURCE_DIR");
	char path[1024], *text = NULL, needle[160];
	size_t len = 0;
	(void)state;
	snprintf(path, sizeof(path), "%s/docs/configuration.md", src ? src : "../../..");
	assert_int_equal(attt_config_read_file(path, &text, &len), ATTT_OK);
	for (size_t i = 0; i < attt_config_option_count(); i++) {
		snprintf(needle, sizeof(needle), "| `%s` |", attt_config_option_at(i)->name);
		if (!strstr(text, needle))
			fail_msg("%s is not documented in docs/configuration.md", attt_config_option_at(i)->name);
	}
	free(text);
}

struct seen {
	char log[512];
	size_t len;
	int fail_line;
};

static int seen_section(void *user, const char *section, int line, char *msg, size_t msgsz)
{
	struct seen *s = user;
	s->len += (size_t)snprintf(s->log + s->len, sizeof(s->log) - s->len, "[%s]@%d ", section, line);
	return ATTT_OK;
}

static int seen_key(void *user, const char *section, const char *key, const char *value, int line, char *msg,
		    size_t msgsz)
{
	struct seen *s = user;
	if (line == s->fail_line) {
		snprintf(msg, msgsz, "refused");
		return ATTT_E_INVAL;
	}
	s->len += (size_t)snprintf(s->log + s->len, sizeof(s->log) - s->len, "%s.%s=%s@%d ", section, key, value, line);
	return ATTT_OK;
}

static void test_config_ini_parse__lines(void **state)
{
	static const char text[] = "; c\n\n[a]\nx = 1\n   y=two words ; comment\n\t[b]\r\nz : 3\n";
	struct seen s = { .fail_line = 0 };
	struct attt_ini_handler h = { seen_section, seen_key, &s };
	char err[256] = "";
	(void)state;
	assert_int_equal(attt_config_ini_parse(text, sizeof(text) - 1, "x.ini", &h, err, sizeof(err)), ATTT_OK);
	assert_string_equal(s.log, "[a]@3 a.x=1@4 a.y=two words@5 [b]@6 b.z=3@7 ");
	/* A callback's error stops the parse and gets the location. */
	memset(&s, 0, sizeof(s));
	s.fail_line = 5;
	assert_int_equal(attt_config_ini_parse(text, sizeof(text) - 1, "x.ini", &h, err, sizeof(err)), ATTT_E_INVAL);
	assert_string_equal(err, "x.ini:5: refused");
	assert_string_equal(s.log, "[a]@3 a.x=1@4 ");
	/* Too big. */
	assert_int_equal(attt_config_ini_parse(text, ATTT_MAX_CONFIG_FILE + 1, NULL, &h, err, sizeof(err)), ATTT_E_TOOBIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_load__bad_inputs),
		cmocka_unit_test(test_config_load__nul_byte),
		cmocka_unit_test(test_config_load__long_line),
		cmocka_unit_test(test_config_load__defaults),
		cmocka_unit_test(test_config_load__values_and_getters),
		cmocka_unit_test(test_config_load__profile_path),
		cmocka_unit_test(test_config_load__checkpoint_outside_data_dir),
		cmocka_unit_test(test_config_to_json__masks_secrets),
		cmocka_unit_test(test_config_option__table),
		cmocka_unit_test(test_config_option__documented),
		cmocka_unit_test(test_config_load__file),
		cmocka_unit_test(test_config_ini_parse__lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_cli.c: the command-line contract of `attt agency` and `attt person` (R1.2), run against the
 * real binary ($ATTT_BIN) on a temporary data directory made by `attt init`: JSON shapes, exit codes
 * (0 ok, 1 failure, 2 usage), $ATTT_DATA, error messages with vi + en text, and an all-or-nothing
 * import reported line by line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <jansson.h>

struct cli {
	char dir[64];
	char data[96];
	const char *bin;
	char out[1 << 16];
	char err[1 << 16];
};

/* Runs "$ATTT_BIN <args>" through the shell; stdout and stderr land in c->out and c->err. */
__attribute__((format(printf, 2, 3)))
static int run(struct cli *c, const char *fmt, ...)
{
	char args[4096], cmd[8192], path[128];
	va_list ap;
	FILE *f;
	size_t n;
	int st;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "'%s' %s >'%s/out' 2>'%s/err'", c->bin, args, c->dir, c->dir);
	st = system(cmd);
	assert_true(WIFEXITED(st));
	snprintf(path, sizeof(path), "%s/out", c->dir);
	assert_non_null(f = fopen(path, "re"));
	n = fread(c->out, 1, sizeof(c->out) - 1, f);
	c->out[n] = '\0';
	fclose(f);
	snprintf(path, sizeof(path), "%s/err", c->dir);
	assert_non_null(f = fopen(path, "re"));
	n = fread(c->err, 1, sizeof(c->err) - 1, f);
	c->err[n] = '\0';
	fclose(f);
	return WEXITSTATUS(st);
}

static json_t *out_json(struct cli *c)
{
	json_error_t e;
	json_t *j = json_loads(c->out, 0, &e);
	if (!j)
		fail_msg("not JSON: %s (%s)", c->out, e.text);
	return j;
}

static long long json_id(struct cli *c)
{
	json_t *j = out_json(c);
	long long id = json_integer_value(json_object_get(j, "id"));
	assert_true(id > 0);
	json_decref(j);
	return id;
}

static void write_file(struct cli *c, const char *name, const char *text)
{
	char path[128];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", c->dir, name);
	assert_non_null(f = fopen(path, "we"));
	assert_int_equal(fputs(text, f) >= 0, 1);
	fclose(f);
}

static int setup(void **state)
{
	struct cli *c = calloc(1, sizeof(*c));
	assert_non_null(c);
	c->bin = getenv("ATTT_BIN");
	assert_non_null(c->bin);
	snprintf(c->dir, sizeof(c->dir), "/tmp/attt-org-cli-XXXXXX");
	assert_non_null(mkdtemp(c->dir));
	snprintf(c->data, sizeof(c->data), "%s/data", c->dir);
	assert_int_equal(run(c, "init --data '%s'", c->data), 0);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct cli *c = *state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", c->dir);
	if (system(cmd) != 0)
		return -1;
	free(c);
	return 0;
}

/* R1.2: the agency verbs and their JSON. */
static void test_cli_agency__contract(void **state)
{
	struct cli *c = *state;
	long long p, d, x;
	json_t *j;

	assert_int_equal(run(c, "agency add --data '%s' --name 'Tỉnh Thái Nguyên' --type province --code TN --json", c->data), 0);
	p = json_id(c);
	assert_int_equal(run(c, "agency add --data '%s' --name 'Sở Y tế' --type department --parent %lld --code SYT --json",
			     c->data, p), 0);
	d = json_id(c);
	/* $ATTT_DATA instead of --data */
	setenv("ATTT_DATA", c->data, 1);
	assert_int_equal(run(c, "agency add --name 'Xã Đại Từ' --type commune --parent %lld --json", p), 0);
	unsetenv("ATTT_DATA");
	x = json_id(c);
	assert_int_equal(run(c, "agency list --json"), 2); /* neither --data nor $ATTT_DATA */
	/* R1.2: an empty name is refused with a message that says what is wrong. */
	assert_int_equal(run(c, "agency add --data '%s' --name '' --type department --json", c->data), 1);
	assert_non_null(strstr(c->err, "empty or too long name"));

	assert_int_equal(run(c, "agency list --data '%s' --json --search 'dai tu'", c->data), 0);
	j = out_json(c);
	assert_int_equal(json_array_size(json_object_get(j, "items")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "items"), 0), "name")),
			    "Xã Đại Từ");
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
	json_decref(j);
	assert_int_equal(run(c, "agency list --data '%s' --json --parent %lld", c->data, p), 0);
	j = out_json(c);
	assert_int_equal(json_array_size(json_object_get(j, "items")), 2);
	json_decref(j);

	/* Table output: dd/mm/yyyy HH:MM. */
	assert_int_equal(run(c, "agency list --data '%s'", c->data), 0);
	assert_non_null(strstr(c->out, "Sở Y tế"));
	assert_non_null(strstr(c->out, "/20"));

	/* A cycle is refused with exit 1 and both languages. */
	assert_int_equal(run(c, "agency move %lld --parent %lld --data '%s'", p, d, c->data), 1);
	assert_non_null(strstr(c->err, "Xung đột"));
	assert_non_null(strstr(c->err, "Conflicts"));
	assert_int_equal(run(c, "agency rename %lld --name 'Sở Y tế tỉnh' --data '%s' --json", d, c->data), 0);
	assert_int_equal(run(c, "agency merge %lld --into %lld --data '%s' --json", x, d, c->data), 0);
	j = out_json(c);
	assert_int_equal(json_integer_value(json_object_get(j, "into")), d);
	json_decref(j);
	assert_int_equal(run(c, "agency show %lld --data '%s' --json", x, c->data), 0);
	j = out_json(c);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "merged");
	assert_int_equal(json_integer_value(json_object_get(j, "merged_into")), d);
	assert_true(json_array_size(json_object_get(j, "history")) >= 2);
	json_decref(j);
	assert_int_equal(run(c, "agency show %lld --data '%s'", d, c->data), 0);
	assert_non_null(strstr(c->out, "rename"));

	/* Dissolving needs an empty agency. */
	assert_int_equal(run(c, "agency dissolve %lld --data '%s'", p, c->data), 1);
	assert_non_null(strstr(c->err, "move or merge them first"));
	assert_int_equal(run(c, "agency add --data '%s' --name 'Ban tạm' --type other --parent %lld --json", c->data, p), 0);
	assert_int_equal(run(c, "agency dissolve %lld --data '%s' --json", json_id(c), c->data), 0);
	j = out_json(c);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "dissolved");
	json_decref(j);

	/* Usage errors: exit 2. */
	assert_int_equal(run(c, "agency add --data '%s' --name X", c->data), 2);
	assert_int_equal(run(c, "agency add --data '%s' --name X --type ministry", c->data), 2);
	assert_int_equal(run(c, "agency show abc --data '%s'", c->data), 2);
	assert_int_equal(run(c, "agency frobnicate --data '%s'", c->data), 2);
	assert_int_equal(run(c, "agency list --data '%s' --into 3", c->data), 2);
	assert_int_equal(run(c, "agency list --data '%s' --limit 501", c->data), 2);
	assert_int_equal(run(c, "agency show 999 --data '%s'", c->data), 1);
	assert_int_equal(run(c, "agency --help"), 0);
	assert_non_null(strstr(c->out, "Cách dùng / usage"));
	assert_int_equal(run(c, "agency import --help"), 0);
	assert_int_equal(run(c, "agency types --json"), 0);
	assert_int_equal(run(c, "agency list --data '%s/nope'", c->dir), 1);
}

/* R1.2: the person verbs and their JSON. */
static void test_cli_person__contract(void **state)
{
	struct cli *c = *state;
	long long a, p;
	json_t *j;

	assert_int_equal(run(c, "agency add --data '%s' --name 'Sở Nội vụ' --type department --json", c->data), 0);
	a = json_id(c);
	assert_int_equal(run(c, "person add --data '%s' --agency %lld --name 'Nguyễn Văn A' --email A@SNV.gov.vn "
			        "--phone '0912 345 678' --json", c->data, a), 0);
	p = json_id(c);
	assert_int_equal(run(c, "person add --data '%s' --agency %lld --name 'Đặng Thị Bình' --json", c->data, a), 0);
	assert_int_equal(run(c, "person list --data '%s' --json --search 'nguyen van a' --agency %lld", c->data, a), 0);
	j = out_json(c);
	assert_int_equal(json_array_size(json_object_get(j, "items")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "items"), 0), "email")),
			    "a@snv.gov.vn");
	json_decref(j);
	assert_int_equal(run(c, "person list --data '%s' --json --search dang", c->data), 0);
	j = out_json(c);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
	json_decref(j);
	assert_int_equal(run(c, "person update %lld --data '%s' --status retired --json", p, c->data), 0);
	j = out_json(c);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "retired");
	json_decref(j);
	assert_int_equal(run(c, "person show %lld --data '%s'", p, c->data), 0);
	assert_non_null(strstr(c->out, "Nguyễn Văn A"));
	assert_non_null(strstr(c->out, "retired"));
	assert_int_equal(run(c, "person add --data '%s' --agency %lld --name X --email nope", c->data, a), 1);
	assert_non_null(strstr(c->err, "không hợp lệ"));
	assert_non_null(strstr(c->err, "Invalid input"));
	assert_int_equal(run(c, "person update %lld --data '%s'", p, c->data), 2);
	assert_int_equal(run(c, "person list --data '%s' --subtree", c->data), 2);
	assert_int_equal(run(c, "person --help"), 0);
}

/* R1.2: import is all or nothing, each bad line reported as FILE:LINE: field. */
static void test_cli_import__all_or_nothing(void **state)
{
	struct cli *c = *state;
	json_t *j;

	write_file(c, "ag.csv", "code,name,type,parent_code\n"
				"TN-X1,Xã Một,commune,TN\n"
				"TN,Tỉnh Thái Nguyên,province,\n");
	write_file(c, "bad.csv", "full_name,agency_code,email\n"
				 "Lê Văn Một,TN-X1,mot@x.vn\n"
				 "Lê Văn Hai,TN-X9,hai@x.vn\n"
				 "Lê Văn Ba,TN,ba@@x.vn\n");
	write_file(c, "good.csv", "full_name,agency_code,email\n"
				  "Lê Văn Một,TN-X1,mot@x.vn\n"
				  "Lê Văn Hai,TN,hai@x.vn\n");
	assert_int_equal(run(c, "agency import --data '%s' '%s/ag.csv' --json", c->data, c->dir), 0);
	j = out_json(c);
	assert_int_equal(json_integer_value(json_object_get(j, "created")), 2);
	json_decref(j);
	assert_int_equal(run(c, "person import --data '%s' '%s/bad.csv'", c->data, c->dir), 1);
	assert_non_null(strstr(c->err, "bad.csv:3: agency_code: "));
	assert_non_null(strstr(c->err, "bad.csv:4: email: "));
	assert_null(strstr(c->err, "bad.csv:2:"));
	assert_int_equal(run(c, "person list --data '%s' --json", c->data), 0);
	j = out_json(c);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 0);
	json_decref(j);
	assert_int_equal(run(c, "person import --data '%s' '%s/good.csv' --json", c->data, c->dir), 0);
	j = out_json(c);
	assert_int_equal(json_integer_value(json_object_get(j, "created")), 2);
	assert_int_equal(json_integer_value(json_object_get(j, "errors")), 0);
	json_decref(j);
	assert_int_equal(run(c, "person import --data '%s' '%s/missing.csv'", c->data, c->dir), 1);
}

/* The generator behind the import figure of docs/performance.md makes files that import whole. */
static void test_cli_import__generated_province(void **state)
{
	struct cli *c = *state;
	const char *src = getenv("ATTT_SOURCE_DIR");
	char cmd[512];
	long long root;
	json_t *j;

	assert_non_null(src);
	snprintf(cmd, sizeof(cmd), "python3 '%s/tests/unit/org/gen-import-csv' '%s/gen' 40 600", src, c->dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(run(c, "agency import --data '%s' '%s/gen/agencies.csv' --json", c->data, c->dir), 0);
	j = out_json(c);
	assert_int_equal(json_integer_value(json_object_get(j, "created")), 40);
	json_decref(j);
	assert_int_equal(run(c, "person import --data '%s' '%s/gen/people.csv' --json", c->data, c->dir), 0);
	j = out_json(c);
	assert_int_equal(json_integer_value(json_object_get(j, "created")), 600);
	json_decref(j);
	assert_int_equal(run(c, "agency list --data '%s' --json --search TN --type province", c->data), 0);
	j = out_json(c);
	assert_int_equal(json_array_size(json_object_get(j, "items")), 1);
	root = json_integer_value(json_object_get(json_array_get(json_object_get(j, "items"), 0), "id"));
	json_decref(j);
	assert_int_equal(run(c, "person list --data '%s' --json --agency %lld --subtree --limit 1", c->data, root), 0);
	j = out_json(c);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 600);
	json_decref(j);

	/* R7.2: the import's bulk events, one per agency, name the 600 people between them. */
	assert_int_equal(run(c, "audit list --data '%s' --json --action person.import --limit 500", c->data), 0);
	j = out_json(c);
	json_t *items = json_object_get(j, "items"), *it;
	size_t i, n = json_array_size(items);
	long long named = 0;
	assert_true(n >= 2 && n <= 40);
	json_array_foreach(items, i, it) {
		json_t *sum = json_loads(json_string_value(json_object_get(it, "summary")), 0, NULL);
		assert_non_null(sum);
		named += json_integer_value(json_object_get(sum, "count"));
		/* the file's base name, not the path given (which may hold a home directory) */
		assert_string_equal(json_string_value(json_object_get(sum, "file")), "people.csv");
		json_decref(sum);
	}
	assert_int_equal(named, 600);
	json_decref(j);
	/* One person's events include the import's; the table shows the start of a long set. */
	assert_int_equal(run(c, "audit list --data '%s' --object-type person --object-id 300", c->data), 0);
	assert_non_null(strstr(c->out, "person.import"));
	assert_int_equal(run(c, "audit list --data '%s' --action person.import --limit 40", c->data), 0);
	int shortened = 0;
	for (const char *obj = strstr(c->out, "person:"); obj; obj = strstr(obj + 1, "person:")) {
		size_t len = strcspn(obj, "\n");
		assert_true(len <= strlen("person:") + 48 + strlen(",…}")); /* the start of longer sets */
		shortened += len > strlen(",…}") && memcmp(obj + len - strlen(",…}"), ",…}", strlen(",…}")) == 0;
	}
	assert_true(shortened > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cli_agency__contract, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_person__contract, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_import__all_or_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_import__generated_province, setup, teardown),
	};
	return cmocka_run_group_tests_name("org_cli", tests, NULL, NULL);
}

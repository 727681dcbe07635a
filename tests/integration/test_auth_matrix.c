/*
 * test_auth_matrix.c: the authorisation test. Signs in one account per role of design.md (staff,
 * security_officer and agency_head on agency 2; authority, response_team, steering, auditor and
 * admin on the province, agency 1) plus anonymous, then walks every route of the matrix in
 * docs/access-control.md on objects of agency 2 and of agency 3 (another agency), and fails on any
 * answer the matrix does not list: an allow it does not grant, or a refusal of what it grants. It
 * also fails when a route of src/attt/routes_{auth,org,audit,incident}.c has no row in the matrix.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "integration/auth_helpers.h"

#define ROLES 9
static const char *const role_names[ROLES] = {"staff", "security_officer", "agency_head", "authority", "response_team",
					      "steering", "auditor", "admin", NULL};
static struct harness_server srv;
static struct who users[ROLES]; /* [8]: anonymous, unused */
/* A security officer of agency 2 who also administers agency 3 (a sibling): see
 * test_matrix__second_grant_adds_nothing_here. */
static struct who combo;
static long long target[4], person[4], campaign[4], item[4], incident[4], offcase[4], offitem[4];

static int setup(void **state)
{
	const char *a1[] = {"agency", "add", "--name", "Tỉnh", "--type", "province", NULL};
	const char *a2[] = {"agency", "add", "--name", "Sở Một", "--type", "department", "--parent", "1", NULL};
	const char *a3[] = {"agency", "add", "--name", "Sở Hai", "--type", "department", "--parent", "1", NULL};
	static const char *names[8] = {"Nguyễn Thị Một", "Trần Văn Hai", "Lê Thị Ba", "Phạm Văn Bốn",
				       "Hoàng Thị Năm", "Vũ Văn Sáu", "Đặng Thị Bảy", "Bùi Văn Tám"};
	(void)state;

	harness_init();
	if (harness_server_start(&srv, NULL) != 0)
		return -1;
	json_decref(cli_ok(&srv, a1));
	json_decref(cli_ok(&srv, a2));
	json_decref(cli_ok(&srv, a3));
	for (int i = 0; i < 8; i++) {
		char user[64];
		const char *agency = i < 3 ? "2" : "1";
		bool mfa = strcmp(role_names[i], "security_officer") == 0 || strcmp(role_names[i], "authority") == 0 ||
			   strcmp(role_names[i], "admin") == 0;
		snprintf(user, sizeof(user), "u.%s", role_names[i]);
		for (char *p = user; *p; p++)
			if (*p == '_')
				*p = '-';
		if (make_user(&srv, &users[i], user, names[i], agency, role_names[i], mfa) != 0)
			return -1;
	}
	{
		const char *adm3[] = {"user", "grant", "u.combo", "--role", "admin", "--agency", "3", NULL};
		if (make_user(&srv, &combo, "u.combo", "Chu Văn Hai Vai", "2", "security_officer", true) != 0)
			return -1;
		json_decref(cli_ok(&srv, adm3));
	}
	/* The objects: an account and a person in agency 2 and in agency 3. */
	for (int a = 2; a <= 3; a++) {
		char agency[4], uname[32];
		snprintf(agency, sizeof(agency), "%d", a);
		snprintf(uname, sizeof(uname), "target.%d", a);
		const char *add[] = {"user", "add", "--username", uname, "--new-person", a == 2 ? "Mục Tiêu Hai" : "Mục Tiêu Ba",
				     "--agency", agency, "--role", "staff", NULL};
		const char *show[] = {"user", "show", uname, NULL};
		const char *padd[] = {"person", "add", "--agency", agency, "--name", a == 2 ? "Người Mới Hai" : "Người Mới Ba", NULL};
		json_t *j = cli_ok(&srv, add);
		json_decref(j);
		j = cli_ok(&srv, show);
		target[a] = json_integer_value(json_object_get(j, "id"));
		json_decref(j);
		j = cli_ok(&srv, padd);
		person[a] = json_integer_value(json_object_get(j, "id"));
		json_decref(j);
	}
	/* A review campaign on each agency, with a pending item. */
	for (int a = 2; a <= 3; a++) {
		const char *start[] = {"review", "start", "--agency", a == 2 ? "2" : "3", NULL};
		json_t *j = cli_ok(&srv, start);
		campaign[a] = json_integer_value(json_object_get(j, "id"));
		item[a] = json_integer_value(json_object_get(json_array_get(json_object_get(j, "items"), 0), "id"));
		json_decref(j);
		if (campaign[a] <= 0 || item[a] <= 0)
			return -1;
	}
	/* R5.3: an offboarding case in each agency, of a person of its own. */
	for (int a = 2; a <= 3; a++) {
		const char *padd[] = {"person", "add", "--agency", a == 2 ? "2" : "3", "--name", a == 2 ? "Người Nghỉ Hai" : "Người Nghỉ Ba",
				      NULL};
		char pid[24];
		json_t *j = cli_ok(&srv, padd);
		snprintf(pid, sizeof(pid), "%lld", (long long)json_integer_value(json_object_get(j, "id")));
		json_decref(j);
		const char *off[] = {"user", "offboard", "--person", pid, "--reason", "Nghỉ hưu", NULL};
		j = cli_ok(&srv, off);
		offcase[a] = json_integer_value(json_object_get(j, "id"));
		offitem[a] = json_integer_value(json_object_get(json_array_get(json_object_get(j, "items"), 0), "id"));
		json_decref(j);
		if (offcase[a] <= 0 || offitem[a] <= 0)
			return -1;
	}
	/* An incident reported in each agency (R8.8). */
	for (int a = 2; a <= 3; a++) {
		const char *rep[] = {"incident", "report", "--agency", a == 2 ? "2" : "3", "--title", "Sự cố thử",
				     "--description", "Máy trạm nhiễm mã độc", "--json", NULL};
		json_t *j = cli_ok(&srv, rep);
		incident[a] = json_integer_value(json_object_get(j, "id"));
		json_decref(j);
		if (incident[a] <= 0)
			return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	harness_server_stop(&srv);
	harness_server_cleanup(&srv);
	return 0;
}

struct row {
	char method[8], path[128], object[16];
	bool allow[ROLES + 1]; /* [0] anonymous, [1..8] roles */
};

static int load_matrix(struct row *rows, int max)
{
	char path[512], line[1024];
	const char *src = getenv("ATTT_SOURCE_DIR");
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/docs/access-control.md", src ? src : ".");
	f = fopen(path, "re");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *cells[16], *p = line;
		int nc = 0;
		if (strncmp(line, "| `", 3) != 0)
			continue;
		while ((p = strchr(p, '|')) && nc < 16) {
			*p++ = '\0';
			cells[nc++] = p;
		}
		if (nc < 12)
			continue; /* another table */
		assert_true(n < max); /* a table longer than the test holds fails; it is never cut short */
		for (int i = 0; i < nc; i++) {
			char *c = cells[i];
			while (*c == ' ' || *c == '`')
				c++;
			char *e = c + strlen(c);
			while (e > c && (e[-1] == ' ' || e[-1] == '`' || e[-1] == '\n'))
				*--e = '\0';
			cells[i] = c;
		}
		char *sp = strchr(cells[0], ' ');
		assert_non_null(sp);
		*sp = '\0';
		snprintf(rows[n].method, sizeof(rows[n].method), "%s", cells[0]);
		snprintf(rows[n].path, sizeof(rows[n].path), "%s", sp + 1);
		snprintf(rows[n].object, sizeof(rows[n].object), "%s", cells[1]);
		for (int k = 0; k <= ROLES - 1; k++) {
			assert_true(strcmp(cells[2 + k], "yes") == 0 || strcmp(cells[2 + k], "no") == 0);
			rows[n].allow[k] = strcmp(cells[2 + k], "yes") == 0;
		}
		n++;
	}
	fclose(f);
	return n;
}

static void subst(const struct row *rw, int who, char *path, size_t size, char *body, size_t bsize)
{
	int agency = strcmp(rw->object, "agency 3") == 0 ? 3 : 2;
	const char *id = strstr(rw->path, "{id}"), *ref = strstr(rw->path, "{ref}");
	body[0] = '\0';
	if (id) {
		long long v = strstr(rw->path, "/offboarding/items/") ? offitem[agency]
			      : strstr(rw->path, "/offboarding/")	     ? offcase[agency]
			      : strstr(rw->path, "/reviews/items/") ? item[agency]
			      : strstr(rw->path, "/reviews/")	     ? campaign[agency]
			      : strstr(rw->path, "/agencies/")	     ? agency
			      : strstr(rw->path, "/people/")	     ? person[agency]
			      : strstr(rw->path, "/incidents/")	     ? incident[agency]
								     : target[agency];
		/* Mẫu 99 does not exist: 400 once authorised, and nothing is generated. */
		const char *form = strstr(rw->path, "{form}");
		snprintf(path, size, "%.*s%lld%.*s%s", (int)(id - rw->path), rw->path, v,
			 form ? (int)(form - id - 4) : (int)strlen(id + 4), id + 4, form ? "99" : "");
		/* An incident's task that does not exist: 404 once authorised, and nothing changes. */
		char *task = strstr(path, "{task}");
		if (task)
			snprintf(task, size - (size_t)(task - path), "999999");
		/* R8.6: an attachment or stored document that does not exist: 404 once authorised. */
		char *fid = strstr(path, "{aid}") ? strstr(path, "{aid}") : strstr(path, "{did}");
		if (fid)
			snprintf(fid, size - (size_t)(fid - path), "999999");
	}
	else if (ref)
		snprintf(path, size, "%.*szzzzzzzzzzzz%s", (int)(ref - rw->path), rw->path, ref + 5);
	else if (strcmp(rw->method, "GET") == 0 &&
		 (strcmp(rw->path, "/api/v1/accounts") == 0 || strcmp(rw->path, "/api/v1/reviews") == 0 ||
		  strcmp(rw->path, "/api/v1/agencies") == 0 || strcmp(rw->path, "/api/v1/people") == 0 ||
		  strcmp(rw->path, "/api/v1/audit/events") == 0 || strstr(rw->path, "/api/v1/audit/reviews") ||
		  strcmp(rw->path, "/api/v1/incidents") == 0))
		snprintf(path, size, "%s?agency=%d", rw->path, agency);
	else if (strcmp(rw->path, "/api/v1/audit/proof/inclusion") == 0)
		snprintf(path, size, "%s?index=0", rw->path);
	else if (strcmp(rw->path, "/api/v1/audit/proof/consistency") == 0)
		snprintf(path, size, "%s?from=1&to=1", rw->path);
	else
		snprintf(path, size, "%s", rw->path);
	if (strcmp(rw->method, "POST") == 0 && strcmp(rw->path, "/api/v1/accounts") == 0)
		snprintf(body, bsize, "{\"username\":\"mx%d.a%d\",\"person\":%lld,\"role\":\"staff\"}", who, agency, person[agency]);
	else if (strcmp(rw->method, "POST") == 0 && strcmp(rw->path, "/api/v1/reviews") == 0)
		snprintf(body, bsize, "{\"agency\":%d}", agency); /* 409 after authorisation: one is open */
	/* Agencies and people, the audit trail: bodies that are harmless once authorised (the same
	 * name, a move or merge into itself: 409; a new person; an empty update; an R7.3 review). */
	else if (strcmp(rw->method, "POST") == 0 && strcmp(rw->path, "/api/v1/agencies") == 0)
		snprintf(body, bsize, "{}");
	else if (strstr(rw->path, "/rename"))
		snprintf(body, bsize, "{\"name\":\"%s\"}", agency == 2 ? "Sở Một" : "Sở Hai");
	else if (strstr(rw->path, "/move"))
		snprintf(body, bsize, "{\"parent_id\":%d}", agency);
	else if (strstr(rw->path, "/merge"))
		snprintf(body, bsize, "{\"into\":%d}", agency);
	else if (strcmp(rw->method, "POST") == 0 && strcmp(rw->path, "/api/v1/people") == 0)
		snprintf(body, bsize, "{\"agency_id\":%d,\"full_name\":\"Người Thử %d\"}", agency, who);
	else if (strcmp(rw->method, "PATCH") == 0)
		snprintf(body, bsize, "{}");
	else if (strcmp(rw->method, "POST") == 0 && strcmp(rw->path, "/api/v1/audit/reviews") == 0)
		snprintf(body, bsize,
			 "{\"agency\":%d,\"from\":\"2026-01-01T00:00:00Z\",\"to\":\"2026-01-02T00:00:00Z\",\"findings\":\"none\"}",
			 agency);
	/* Incidents: no title, no severity, no action, no account: 400 once authorised. */
	else if (strcmp(rw->method, "POST") == 0 && strcmp(rw->path, "/api/v1/incidents") == 0)
		snprintf(body, bsize, "{\"agency_id\":%d}", agency);
	else if (strcmp(rw->method, "POST") == 0 && strstr(rw->path, "/incidents/"))
		snprintf(body, bsize, "{}");
	else if (strstr(rw->path, "/reviews/items/"))
		snprintf(body, bsize, "{\"decision\":\"confirm\"}");
	/* Roles: no role named, 400 once authorised, and nothing changes. */
	else if (strstr(rw->path, "/roles"))
		snprintf(body, bsize, "{}");
	/* R5.3: no reason, a note that is not text: 400 once authorised, and nothing changes. */
	else if (strstr(rw->path, "/offboard"))
		snprintf(body, bsize, strstr(rw->path, "/items/") ? "{\"note\":5}" : "{}");
	else if (strstr(rw->path, "/auth/") && !strstr(rw->path, "logout") && !strstr(rw->path, "enrol"))
		snprintf(body, bsize, "{}"); /* 400 after authorisation, and no password tried */
}

/* Every route x every role + anonymous, on the own agency's and another agency's objects. */
static void test_matrix__every_route_every_role(void **state)
{
	struct row rows[256];
	int n = load_matrix(rows, 256), bad = 0;
	(void)state;

	assert_true(n >= 20);
	for (int i = 0; i < n; i++) {
		for (int k = 0; k <= ROLES - 1; k++) {
			char path[256], body[256];
			struct harness_resp r;
			const struct who *w = k == 0 ? NULL : &users[k - 1];
			subst(&rows[i], k, path, sizeof(path), body, sizeof(body));
			assert_int_equal(call(&srv, rows[i].method, path, w, body[0] ? body : NULL, &r), 0);
			bool allowed = r.status != 401 && r.status != 403;
			if (allowed != rows[i].allow[k]) {
				print_error("%s %s (%s) as %s: %ld, the matrix says %s\n", rows[i].method, path, rows[i].object,
					    k == 0 ? "anonymous" : role_names[k - 1], r.status, rows[i].allow[k] ? "yes" : "no");
				bad++;
			}
			harness_resp_free(&r);
		}
	}
	assert_int_equal(bad, 0);
}

/* Rights come from the grant over the object's agency only: an officer of agency 2 who also
 * administers agency 3 may do on agency 2's objects and on the platform exactly what the officer
 * of agency 2 may (the row's security_officer column), nothing the administration of agency 3 would
 * give elsewhere. This session's review found four routes where a second grant leaked. */
static void test_matrix__second_grant_adds_nothing_here(void **state)
{
	struct row rows[256];
	int n = load_matrix(rows, 256), bad = 0;
	(void)state;

	for (int i = 0; i < n; i++) {
		char path[256], body[256];
		struct harness_resp r;
		if (strcmp(rows[i].object, "agency 3") == 0)
			continue;
		subst(&rows[i], 90, path, sizeof(path), body, sizeof(body));
		assert_int_equal(call(&srv, rows[i].method, path, &combo, body[0] ? body : NULL, &r), 0);
		bool allowed = r.status != 401 && r.status != 403;
		if (allowed != rows[i].allow[2]) {
			print_error("%s %s (%s) as officer of 2 + admin of 3: %ld, the officer of 2 alone: %s\n", rows[i].method,
				    path, rows[i].object, r.status, rows[i].allow[2] ? "yes" : "no");
			bad++;
		}
		harness_resp_free(&r);
	}
	assert_int_equal(bad, 0);
}

/* Every route registered by routes_auth.c, routes_org.c and routes_audit.c has a row. */
static void test_matrix__covers_every_route(void **state)
{
	struct row rows[256];
	int n = load_matrix(rows, 256), missing = 0;
	char path[512], line[512];
	const char *src = getenv("ATTT_SOURCE_DIR");
	FILE *f;
	(void)state;

	for (int file = 0; file < 5; file++) {
		static const char *const files[] = {"routes_auth.c", "routes_org.c", "routes_audit.c", "routes_incident.c",
						    "routes_incident_files.c"};
		snprintf(path, sizeof(path), "%s/src/attt/%s", src ? src : ".", files[file]);
		f = fopen(path, "re");
		assert_non_null(f);
		while (fgets(line, sizeof(line), f)) {
			char method[8], route[128];
			char *q1, *q2, *q3, *q4;
			if (!(q1 = strstr(line, "{\"")) || !(q2 = strchr(q1 + 2, '"')) || !(q3 = strstr(q2, "\"/api/")) ||
			    !(q4 = strchr(q3 + 1, '"')))
				continue;
			snprintf(method, sizeof(method), "%.*s", (int)(q2 - q1 - 2), q1 + 2);
			snprintf(route, sizeof(route), "%.*s", (int)(q4 - q3 - 1), q3 + 1);
			bool found = false;
			for (int i = 0; i < n; i++)
				if (strcmp(rows[i].method, method) == 0 && strcmp(rows[i].path, route) == 0)
					found = true;
			if (!found) {
				print_error("route %s %s has no row in docs/access-control.md\n", method, route);
				missing++;
			}
		}
		fclose(f);
	}
	assert_int_equal(missing, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix__covers_every_route),
		cmocka_unit_test(test_matrix__every_route_every_role),
		cmocka_unit_test(test_matrix__second_grant_adds_nothing_here),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

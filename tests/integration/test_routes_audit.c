/*
 * test_routes_audit.c: the audit trail API (issue 6; R7.1, R7.2, R7.3) against a real `attt serve`:
 * an officer's queries hold only the events of their agencies (others are filtered out, naming
 * another agency is refused), pagination, CSV and JSON-lines exports that are themselves audited,
 * the signed checkpoint, inclusion and consistency proofs that verify against the checkpoint's
 * root, and R7.3 review records.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "attt/audit.h"
#include "integration/auth_helpers.h"

static struct harness_server srv;
static struct who officer, auditor, head;

static int setup(void **state)
{
	const char *a1[] = {"agency", "add", "--name", "Tỉnh", "--type", "province", NULL};
	const char *a2[] = {"agency", "add", "--name", "Sở Một", "--type", "department", "--parent", "1", NULL};
	const char *a3[] = {"agency", "add", "--name", "Sở Hai", "--type", "department", "--parent", "1", NULL};
	const char *p2[] = {"person", "add", "--agency", "2", "--name", "Nguyễn Văn A", NULL};
	const char *p3[] = {"person", "add", "--agency", "3", "--name", "Trần Thị B", NULL};
	(void)state;

	harness_init();
	if (harness_server_start(&srv, NULL) != 0)
		return -1;
	json_decref(cli_ok(&srv, a1));
	json_decref(cli_ok(&srv, a2));
	json_decref(cli_ok(&srv, a3));
	json_decref(cli_ok(&srv, p2));
	json_decref(cli_ok(&srv, p3));
	if (make_user(&srv, &officer, "o.mot", "Lê Văn Cán", "2", "security_officer", true) != 0 ||
	    make_user(&srv, &head, "t.truong", "Võ Thị Trưởng", "2", "agency_head", false) != 0 ||
	    make_user(&srv, &auditor, "t.tra", "Đỗ Văn Tra", "1", "auditor", false) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	harness_server_stop(&srv);
	harness_server_cleanup(&srv);
	return 0;
}

/* The number of events of the page whose object is in agency a or whose actor is. */
static size_t count_agency(json_t *page, long long a)
{
	size_t i, n = 0;
	json_t *v;
	json_array_foreach(json_object_get(page, "items"), i, v)
	{
		if (json_integer_value(json_object_get(v, "agency_id")) == a ||
		    json_integer_value(json_object_get(v, "actor_agency")) == a)
			n++;
	}
	return n;
}

/* Issue 6: an officer reads their agencies' events only; the auditor reads the whole trail. */
static void test_audit__officer_scope_filtered(void **state)
{
	json_t *j;
	size_t i;
	json_t *v;
	(void)state;

	j = get_json_as(&srv, "/api/v1/audit/events?limit=500", &officer, 200);
	assert_true(json_array_size(json_object_get(j, "items")) > 0);
	json_array_foreach(json_object_get(j, "items"), i, v)
	{
		/* Every event shown is of agency 2 (as object owner or actor); none of agency 3. */
		assert_true(json_integer_value(json_object_get(v, "agency_id")) == 2 ||
			    json_integer_value(json_object_get(v, "actor_agency")) == 2);
	}
	json_decref(j);
	json_decref(get_json_as(&srv, "/api/v1/audit/events?agency=3", &officer, 403));
	json_decref(get_json_as(&srv, "/api/v1/audit/events?agency=3", &head, 403));

	j = get_json_as(&srv, "/api/v1/audit/events?limit=500&action=person.", &auditor, 200);
	assert_true(count_agency(j, 3) > 0);
	assert_true(count_agency(j, 2) > 0);
	json_decref(j);
	j = get_json_as(&srv, "/api/v1/audit/events?agency=3&action=person.create", &auditor, 200);
	assert_int_equal(json_array_size(json_object_get(j, "items")), 1);
	json_decref(j);
}

/* Keyset pagination: next_after continues where the page ended. */
static void test_audit__pagination(void **state)
{
	char path[128];
	json_t *a, *b;
	long long last, first_b;
	(void)state;

	a = get_json_as(&srv, "/api/v1/audit/events?limit=2", &auditor, 200);
	assert_int_equal(json_array_size(json_object_get(a, "items")), 2);
	last = json_integer_value(json_object_get(a, "next_after"));
	assert_int_equal(last, json_integer_value(json_object_get(json_array_get(json_object_get(a, "items"), 1), "seq")));
	snprintf(path, sizeof(path), "/api/v1/audit/events?limit=2&after=%lld", last);
	b = get_json_as(&srv, path, &auditor, 200);
	first_b = json_integer_value(json_object_get(json_array_get(json_object_get(b, "items"), 0), "seq"));
	assert_true(first_b > last);
	json_decref(a);
	json_decref(b);
	json_decref(get_json_as(&srv, "/api/v1/audit/events?limit=501", &auditor, 400));
	json_decref(get_json_as(&srv, "/api/v1/audit/events?category=nope", &auditor, 400));
	json_decref(get_json_as(&srv, "/api/v1/audit/events?format=xml", &auditor, 400));
}

/* R7.2: CSV and JSON-lines exports, each recorded as an audit event "audit.export". */
static void test_audit__exports_are_audited(void **state)
{
	struct harness_resp r;
	char url[256], ct[128];
	long long before = db_count(&srv, "SELECT count(*) FROM audit_event WHERE action='audit.export'");
	(void)state;

	snprintf(url, sizeof(url), "%s/api/v1/audit/events?format=csv", srv.url);
	{
		const char *h[] = {officer.cookie, NULL};
		assert_int_equal(harness_request("GET", url, h, NULL, 0, &r), 0);
	}
	assert_int_equal(r.status, 200);
	assert_true(harness_header(&r, "Content-Type", ct, sizeof(ct)));
	assert_non_null(strstr(ct, "text/csv"));
	assert_non_null(strstr(r.body, "\r\n"));
	assert_null(strstr(r.body, "Trần Thị B")); /* agency 3's person is not in the officer's export */
	harness_resp_free(&r);
	/* A full export says where to continue. */
	snprintf(url, sizeof(url), "%s/api/v1/audit/events?format=csv&limit=2", srv.url);
	{
		const char *h[] = {auditor.cookie, NULL};
		char next[32];
		assert_int_equal(harness_request("GET", url, h, NULL, 0, &r), 0);
		assert_int_equal(r.status, 200);
		assert_true(harness_header(&r, "X-Next-After", next, sizeof(next)));
		assert_string_equal(next, "1");
	}
	harness_resp_free(&r);

	snprintf(url, sizeof(url), "%s/api/v1/audit/events", srv.url);
	{
		const char *h[] = {auditor.cookie, "Accept: application/x-ndjson", NULL};
		assert_int_equal(harness_request("GET", url, h, NULL, 0, &r), 0);
	}
	assert_int_equal(r.status, 200);
	assert_true(harness_header(&r, "Content-Type", ct, sizeof(ct)));
	assert_non_null(strstr(ct, "application/x-ndjson"));
	{
		/* Every line is one JSON object. */
		char *line = r.body, *nl;
		int lines = 0;
		while ((nl = strchr(line, '\n'))) {
			json_error_t e;
			json_t *j = json_loadb(line, (size_t)(nl - line), 0, &e);
			assert_non_null(j);
			json_decref(j);
			lines++;
			line = nl + 1;
		}
		assert_true(lines > 0);
	}
	harness_resp_free(&r);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM audit_event WHERE action='audit.export'"), before + 3);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM audit_event WHERE action='audit.export' AND actor_name='o.mot' "
					"AND category=5"),
			 1);
}

static int b64_hash(json_t *v, struct attt_hash *h)
{
	const char *s = json_string_value(v);
	return s ? attt_hash_from_b64(s, strlen(s), h) : -1;
}

/* R7.1: the checkpoint is a signed note; the inclusion proof of the API verifies against its root,
 * and so does a consistency proof between two sizes. */
static void test_audit__checkpoint_and_proofs(void **state)
{
	const char *mk[] = {"audit", "checkpoint", "--data", srv.data, NULL};
	struct attt_hash proof[ATTT_AUDIT_MAX_PROOF], leaf, root, root1, root2;
	struct attt_checkpoint cp;
	struct harness_resp r;
	char path[160], out[4096];
	size_t n, i;
	json_t *j, *v;
	(void)state;

	assert_int_equal(harness_run(mk, out, sizeof(out)), 0);
	assert_int_equal(call(&srv, "GET", "/api/v1/audit/checkpoint", &officer, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\n\n\xe2\x80\x94 ")); /* the signature line "— name sig" */
	{
		const char *sep = strstr(r.body, "\n\n");
		assert_int_equal(attt_checkpoint_parse(r.body, (size_t)(sep - r.body) + 1, &cp), 0);
	}
	/* The signature verifies with the key the API gives (R7.1). */
	{
		struct attt_audit_verifier *ver = NULL;
		struct attt_checkpoint cp2;
		struct harness_resp k;
		assert_int_equal(call(&srv, "GET", "/api/v1/audit/key", &auditor, NULL, &k), 0);
		assert_int_equal(k.status, 200);
		k.body[strcspn(k.body, "\n")] = '\0';
		assert_int_equal(attt_audit_verifier_parse(k.body, &ver), 0);
		harness_resp_free(&k);
		assert_int_equal(attt_checkpoint_open(r.body, r.body_len, ver, NULL, &cp2), 0);
		assert_int_equal(cp2.size, cp.size);
		r.body[r.body_len - 10] ^= 1; /* a changed signature does not */
		assert_int_not_equal(attt_checkpoint_open(r.body, r.body_len, ver, NULL, &cp2), 0);
		attt_audit_verifier_free(ver);
	}
	harness_resp_free(&r);
	assert_true(cp.size > 3);

	/* R7.1: the same checkpoint as JSON, with the time it was signed (the note has none). */
	{
		const char *cj[] = {"audit", "checkpoint", "--no-new", "--json", "--data", srv.data, NULL};
		struct attt_hash jroot;
		json_t *c;
		int64_t at = 0;
		j = get_json_as(&srv, "/api/v1/audit/checkpoint?format=json", &officer, 200);
		assert_int_equal(json_integer_value(json_object_get(j, "size")), (json_int_t)cp.size);
		assert_string_equal(json_string_value(json_object_get(j, "origin")), cp.origin);
		assert_int_equal(b64_hash(json_object_get(j, "root"), &jroot), 0);
		assert_memory_equal(jroot.b, cp.root.b, ATTT_HASH_LEN);
		assert_non_null(strstr(json_string_value(json_object_get(j, "note")), "\n\n\xe2\x80\x94 "));
		assert_int_equal(attt_time_parse(json_string_value(json_object_get(j, "signed_at")), &at), 0);
		assert_true(at > 0);
		assert_int_equal(harness_run(cj, out, sizeof(out)), 0);
		c = json_loads(out, 0, NULL);
		assert_non_null(c);
		assert_string_equal(json_string_value(json_object_get(c, "signed_at")),
				    json_string_value(json_object_get(j, "signed_at")));
		json_decref(c);
		json_decref(j);
		assert_int_equal(call(&srv, "GET", "/api/v1/audit/checkpoint?format=xml", &officer, NULL, &r), 0);
		assert_int_equal(r.status, 400);
		harness_resp_free(&r);
	}

	for (uint64_t idx = 0; idx < cp.size; idx += cp.size / 3) {
		snprintf(path, sizeof(path), "/api/v1/audit/proof/inclusion?index=%llu&size=%llu", (unsigned long long)idx,
			 (unsigned long long)cp.size);
		j = get_json_as(&srv, path, &auditor, 200);
		assert_int_equal(b64_hash(json_object_get(j, "leaf"), &leaf), 0);
		assert_int_equal(b64_hash(json_object_get(j, "root"), &root), 0);
		assert_memory_equal(root.b, cp.root.b, ATTT_HASH_LEN);
		n = 0;
		json_array_foreach(json_object_get(j, "proof"), i, v) assert_int_equal(b64_hash(v, &proof[n++]), 0);
		json_decref(j);
		assert_int_equal(attt_merkle_verify_inclusion(idx, cp.size, leaf.b, ATTT_HASH_LEN, proof, n, cp.root.b,
							      ATTT_HASH_LEN),
				 0);
		/* A different leaf does not verify. */
		leaf.b[0] ^= 1;
		assert_int_not_equal(attt_merkle_verify_inclusion(idx, cp.size, leaf.b, ATTT_HASH_LEN, proof, n, cp.root.b,
								  ATTT_HASH_LEN),
				     0);
	}
	snprintf(path, sizeof(path), "/api/v1/audit/proof/consistency?from=2&to=%llu", (unsigned long long)cp.size);
	j = get_json_as(&srv, path, &officer, 200);
	assert_int_equal(b64_hash(json_object_get(j, "root1"), &root1), 0);
	assert_int_equal(b64_hash(json_object_get(j, "root2"), &root2), 0);
	assert_memory_equal(root2.b, cp.root.b, ATTT_HASH_LEN);
	n = 0;
	json_array_foreach(json_object_get(j, "proof"), i, v) assert_int_equal(b64_hash(v, &proof[n++]), 0);
	json_decref(j);
	assert_int_equal(attt_merkle_verify_consistency(2, cp.size, proof, n, root1.b, ATTT_HASH_LEN, root2.b, ATTT_HASH_LEN), 0);

	json_decref(get_json_as(&srv, "/api/v1/audit/proof/inclusion?index=999999", &auditor, 400));
	json_decref(get_json_as(&srv, "/api/v1/audit/proof/inclusion", &auditor, 400));
	json_decref(get_json_as(&srv, "/api/v1/audit/proof/consistency?from=3&to=2", &auditor, 400));
}

/* R7.3: reviews are recorded by officers (own agencies) and auditors, listed by scope, and the
 * overdue check answers. */
static void test_audit__reviews(void **state)
{
	struct harness_resp r;
	json_t *j;
	(void)state;

	assert_int_equal(call(&srv, "POST", "/api/v1/audit/reviews", &officer,
			      "{\"agency\":2,\"from\":\"2026-01-01T00:00:00Z\",\"to\":\"2026-01-02T00:00:00Z\",\"findings\":\"không có bất thường\"}",
			      &r),
			 0);
	assert_int_equal(r.status, 201);
	harness_resp_free(&r);
	assert_int_equal(call(&srv, "POST", "/api/v1/audit/reviews", &officer,
			      "{\"agency\":3,\"from\":\"2026-01-01T00:00:00Z\",\"to\":\"2026-01-02T00:00:00Z\",\"findings\":\"none\"}", &r),
			 0);
	assert_int_equal(r.status, 403);
	harness_resp_free(&r);
	/* The head of agency reads, but does not record reviews. */
	assert_int_equal(call(&srv, "POST", "/api/v1/audit/reviews", &head,
			      "{\"agency\":2,\"from\":\"2026-01-01T00:00:00Z\",\"to\":\"2026-01-02T00:00:00Z\",\"findings\":\"none\"}", &r),
			 0);
	assert_int_equal(r.status, 403);
	harness_resp_free(&r);
	/* Findings are required; the field is named. */
	assert_int_equal(call(&srv, "POST", "/api/v1/audit/reviews", &auditor,
			      "{\"agency\":3,\"from\":\"2026-01-01T00:00:00Z\",\"to\":\"2026-01-02T00:00:00Z\"}", &r),
			 0);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "findings"));
	harness_resp_free(&r);
	assert_int_equal(call(&srv, "POST", "/api/v1/audit/reviews", &auditor,
			      "{\"agency\":3,\"from\":\"2026-01-01T00:00:00Z\",\"to\":\"2026-01-02T00:00:00Z\",\"findings\":\"none\"}", &r),
			 0);
	assert_int_equal(r.status, 201);
	harness_resp_free(&r);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM audit_event WHERE action='audit.review'"), 2);

	j = get_json_as(&srv, "/api/v1/audit/reviews", &officer, 200);
	assert_int_equal(json_array_size(json_object_get(j, "items")), 1); /* agency 3's review is filtered out */
	json_decref(j);
	j = get_json_as(&srv, "/api/v1/audit/reviews", &auditor, 200);
	assert_int_equal(json_array_size(json_object_get(j, "items")), 2);
	json_decref(j);
	j = get_json_as(&srv, "/api/v1/audit/reviews/overdue?agency=2", &officer, 200);
	assert_true(json_is_boolean(json_object_get(j, "overdue")));
	assert_int_equal(json_integer_value(json_object_get(j, "agency")), 2);
	{
		/* The server's clock, which a review's end may not pass (the page caps a day at it). */
		int64_t now = 0, wall = (int64_t)time(NULL) * 1000000;
		assert_int_equal(attt_time_parse(json_string_value(json_object_get(j, "now")), &now), 0);
		assert_true(now > wall - 60 * INT64_C(1000000) && now < wall + 60 * INT64_C(1000000));
	}
	json_decref(j);
	json_decref(get_json_as(&srv, "/api/v1/audit/reviews/overdue?agency=3", &officer, 403));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audit__officer_scope_filtered),
		cmocka_unit_test(test_audit__pagination),
		cmocka_unit_test(test_audit__exports_are_audited),
		cmocka_unit_test(test_audit__checkpoint_and_proofs),
		cmocka_unit_test(test_audit__reviews),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

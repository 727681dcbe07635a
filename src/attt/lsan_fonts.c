/*
 * lsan_fonts.c: tells LeakSanitizer (ASan builds) that fontconfig's process-lifetime caches, which
 * `attt incident form` fills when it renders a PDF through Pango, are not leaks. The alternative,
 * attt_docs_shutdown() before exit, tears those caches down while Pango may still hold a font map,
 * and cairo then aborts at random under load (_cairo_hash_table_destroy: live_entries == 0), so the
 * program leaves them to the exit as every desktop program does. Without a sanitizer the runtime
 * never calls this function.
 */
const char *__lsan_default_suppressions(void);

const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n";
}

/*
 * app-int.h: private to the app module and its tests: a fault hook that makes attt_app_init fail
 * at a named step, so that the tests can show a failed init leaves nothing behind.
 */
#ifndef ATTT_APP_INT_H
#define ATTT_APP_INT_H

/* When set, called by attt_app_init after each step ("dir", "keys", "ini", "db": the last one just
 * before attt.db is linked into place); a negative return fails init there with that error. */
extern int (*attt__app_init_fault)(const char *step);

#endif

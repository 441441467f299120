// outbox-floor: the least CPU the outbox's bookkeeping can cost per delivered email, in C with no
// Swift, no threads and no sockets: SQLite alone, with the outbox's schema (read from
// Sources/Outbox/Store/Schema.swift by outbox-floor.sh) and statements like the product's.
//
// It fills the outbox with N queued emails of 4.4 KB (not timed), then drains it the way the
// worker does, with the most favourable batching: claim B due emails in one transaction (the due
// index, the UPDATE to `sending`, the bodies read back), then record B sent outcomes in one
// transaction (an attempts row each and the UPDATE to `sent`). Both commit as the product's do
// (WAL, synchronous=NORMAL: the worker's claims and outcomes do not fsync; enqueues do), with the
// service's foreign keys, page cache and allocator settings.
// Prints CPU (user + system) and wall time per email.
//
// Build and run: Benchmarks/outbox-floor/outbox-floor.sh (needs gcc and libsqlite3-dev).
#include <malloc.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static sqlite3 *db;

static void exec(const char *sql) {
  char *error = 0;
  if (sqlite3_exec(db, sql, 0, 0, &error) != SQLITE_OK) { fprintf(stderr, "%s\n-> %s\n", sql, error); exit(1); }
}

static sqlite3_stmt *prepare(const char *sql) {
  sqlite3_stmt *statement;
  if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, 0) != SQLITE_OK) {
    fprintf(stderr, "%s\n-> %s\n", sql, sqlite3_errmsg(db)); exit(1);
  }
  return statement;
}

static void step_done(sqlite3_stmt *statement) {
  if (sqlite3_step(statement) != SQLITE_DONE) { fprintf(stderr, "step: %s\n", sqlite3_errmsg(db)); exit(1); }
  sqlite3_reset(statement);
}

static double cpu_seconds(void) {
  struct rusage r;
  getrusage(RUSAGE_SELF, &r);
  return r.ru_utime.tv_sec + r.ru_stime.tv_sec + (r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

static double wall_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) { perror(path); exit(2); }
  fseek(f, 0, SEEK_END); long n = ftell(f); rewind(f);
  char *text = malloc(n + 1);
  if (fread(text, 1, n, f) != (size_t)n) { perror(path); exit(2); }
  text[n] = 0; fclose(f);
  return text;
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: outbox-floor SCHEMA.sql DATABASE [EMAILS [BATCH]]\n"); return 2; }
  const char *schema = argv[1], *path = argv[2];
  int emails = argc > 3 ? atoi(argv[3]) : 20000, batch = argc > 4 ? atoi(argv[4]) : 64;
  if (emails < 1 || batch < 1 || batch > 256) { fprintf(stderr, "EMAILS >= 1, 1 <= BATCH <= 256\n"); return 2; }
  // As `mailer serve` sets glibc's allocator (AllocatorTuning.swift): without it, SQLite's large
  // allocations are mapped and unmapped again each time and page faults take most of the CPU.
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  if (sqlite3_open(path, &db) != SQLITE_OK) { fprintf(stderr, "%s: %s\n", path, sqlite3_errmsg(db)); return 1; }
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=NORMAL");
  exec("PRAGMA foreign_keys=ON");
  exec("PRAGMA cache_size=-16384");
  exec(read_file(schema));

  static char body[4400];
  memset(body, 'x', sizeof body);
  sqlite3_stmt *insert = prepare(
      "INSERT INTO messages (id, created_at, template, locale, sender, recipients, message_id, size, state, attempts, "
      "next_attempt_at, updated_at) VALUES (?, 1, 'verification', 'en', 'no-reply@example.com', '[\"ada@example.org\"]', "
      "?, 4400, 'queued', 0, 1, 1)");
  sqlite3_stmt *insertBody = prepare("INSERT INTO message_bodies (message, content) VALUES (?, ?)");
  exec("BEGIN");
  for (int i = 0; i < emails; i++) {
    char id[48], messageID[80];
    snprintf(id, sizeof id, "0193a1b2-c3d4-7e5f-8a9b-%012d", i);
    snprintf(messageID, sizeof messageID, "<%s@example.com>", id);
    sqlite3_bind_text(insert, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert, 2, messageID, -1, SQLITE_TRANSIENT);
    step_done(insert);
    sqlite3_bind_text(insertBody, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(insertBody, 2, body, sizeof body, SQLITE_STATIC);
    step_done(insertBody);
  }
  exec("COMMIT");
  exec("PRAGMA wal_checkpoint(TRUNCATE)");

  // As OutboxStore+Claim.swift: the due index in order, the UPDATE, the bodies read back.
  sqlite3_stmt *due = prepare(
      "SELECT seq FROM messages INDEXED BY messages_due WHERE state IN ('queued', 'deferred') AND next_attempt_at <= 3 "
      "ORDER BY next_attempt_at, seq LIMIT ?");
  sqlite3_stmt *claim = prepare(
      "UPDATE messages SET state = 'sending', claimed_at = 2, next_attempt_at = NULL, updated_at = 2 WHERE seq = ? RETURNING id");
  sqlite3_stmt *content = prepare("SELECT content FROM message_bodies WHERE message = ?");
  // As OutboxStore+Outcomes.swift: the claim checked, an attempts row, the message's new state.
  sqlite3_stmt *check = prepare("SELECT state, attempts, claimed_at FROM messages WHERE id = ?");
  sqlite3_stmt *attempt = prepare(
      "INSERT INTO attempts (message, number, started_at, finished_at, outcome, smtp_code, enhanced_code, reply_text, provider) "
      "VALUES (?, 1, 3, 4, 'sent', 250, '2.0.0', '2.0.0 Ok: queued as 4ABC123', 'primary')");
  sqlite3_stmt *sent = prepare(
      "UPDATE messages SET state = 'sent', attempts = 1, next_attempt_at = NULL, claimed_at = NULL, last_error = NULL, "
      "sent_at = 4, provider = 'primary', updated_at = 4 WHERE id = ?");

  char (*ids)[48] = malloc(sizeof(char[48]) * batch);
  long long seqs[256];
  long done = 0, bytes = 0;
  double cpu0 = cpu_seconds(), wall0 = wall_seconds();
  for (;;) {
    int n = 0;
    exec("BEGIN IMMEDIATE");
    sqlite3_bind_int(due, 1, batch);
    while (sqlite3_step(due) == SQLITE_ROW) seqs[n++] = sqlite3_column_int64(due, 0);
    sqlite3_reset(due);
    for (int i = 0; i < n; i++) {
      sqlite3_bind_int64(claim, 1, seqs[i]);
      if (sqlite3_step(claim) != SQLITE_ROW) { fprintf(stderr, "claim: %s\n", sqlite3_errmsg(db)); return 1; }
      snprintf(ids[i], 48, "%s", (const char *)sqlite3_column_text(claim, 0));
      sqlite3_reset(claim);
      sqlite3_bind_text(content, 1, ids[i], -1, SQLITE_STATIC);
      if (sqlite3_step(content) == SQLITE_ROW) bytes += sqlite3_column_bytes(content, 0);
      sqlite3_reset(content);
    }
    exec("COMMIT");
    if (n == 0) break;
    exec("BEGIN IMMEDIATE");
    for (int i = 0; i < n; i++) {
      sqlite3_bind_text(check, 1, ids[i], -1, SQLITE_STATIC);
      if (sqlite3_step(check) != SQLITE_ROW) { fprintf(stderr, "check: %s\n", sqlite3_errmsg(db)); return 1; }
      sqlite3_reset(check);
      sqlite3_bind_text(attempt, 1, ids[i], -1, SQLITE_STATIC);
      step_done(attempt);
      sqlite3_bind_text(sent, 1, ids[i], -1, SQLITE_STATIC);
      step_done(sent);
    }
    exec("COMMIT");
    done += n;
  }
  double cpu = cpu_seconds() - cpu0, wall = wall_seconds() - wall0;
  if (done != emails || bytes != (long)emails * (long)sizeof body) {
    fprintf(stderr, "drained %ld of %d emails, read %ld bytes\n", done, emails, bytes); return 1;
  }
  printf("emails=%ld batch=%d sqlite=%s cpu_us_per_email=%.1f wall_us_per_email=%.1f\n",
         done, batch, sqlite3_libversion(), cpu * 1e6 / done, wall * 1e6 / done);
  return 0;
}

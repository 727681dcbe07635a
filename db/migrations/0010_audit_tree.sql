-- 0010_audit_tree: an audited commit writes one audit page instead of three (docs/audit.md
-- "Storage", docs/performance.md "## Audit"). Applied on top of existing trails: nothing is recomputed,
-- every stored hash is moved, so a trail made by an older build still verifies.
--
-- 1. Each event row carries its tree nodes: tree = the leaf hash, then the hash of every perfect
--    subtree the event completes (levels 1, 2, ... while the leaf index has trailing one bits),
--    32 bytes each. Node (level, idx) lives in the row of its last leaf, seq = (idx + 1) * 2^level - 1,
--    so proofs still read O(log n) rows. audit_node keeps only the nodes whose last leaf was archived
--    (attt audit archive moves them there) and is otherwise empty.
ALTER TABLE audit_event ADD COLUMN tree BLOB;
CREATE INDEX audit_node_migrate ON audit_node (level, idx);
UPDATE audit_event SET tree = (SELECT hash FROM audit_node WHERE level = 0 AND idx = audit_event.seq);
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 1 AND idx = audit_event.seq >> 1) AS BLOB) WHERE seq >= 1 AND (seq & 1) = 1;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 2 AND idx = audit_event.seq >> 2) AS BLOB) WHERE seq >= 3 AND (seq & 3) = 3;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 3 AND idx = audit_event.seq >> 3) AS BLOB) WHERE seq >= 7 AND (seq & 7) = 7;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 4 AND idx = audit_event.seq >> 4) AS BLOB) WHERE seq >= 15 AND (seq & 15) = 15;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 5 AND idx = audit_event.seq >> 5) AS BLOB) WHERE seq >= 31 AND (seq & 31) = 31;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 6 AND idx = audit_event.seq >> 6) AS BLOB) WHERE seq >= 63 AND (seq & 63) = 63;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 7 AND idx = audit_event.seq >> 7) AS BLOB) WHERE seq >= 127 AND (seq & 127) = 127;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 8 AND idx = audit_event.seq >> 8) AS BLOB) WHERE seq >= 255 AND (seq & 255) = 255;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 9 AND idx = audit_event.seq >> 9) AS BLOB) WHERE seq >= 511 AND (seq & 511) = 511;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 10 AND idx = audit_event.seq >> 10) AS BLOB) WHERE seq >= 1023 AND (seq & 1023) = 1023;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 11 AND idx = audit_event.seq >> 11) AS BLOB) WHERE seq >= 2047 AND (seq & 2047) = 2047;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 12 AND idx = audit_event.seq >> 12) AS BLOB) WHERE seq >= 4095 AND (seq & 4095) = 4095;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 13 AND idx = audit_event.seq >> 13) AS BLOB) WHERE seq >= 8191 AND (seq & 8191) = 8191;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 14 AND idx = audit_event.seq >> 14) AS BLOB) WHERE seq >= 16383 AND (seq & 16383) = 16383;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 15 AND idx = audit_event.seq >> 15) AS BLOB) WHERE seq >= 32767 AND (seq & 32767) = 32767;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 16 AND idx = audit_event.seq >> 16) AS BLOB) WHERE seq >= 65535 AND (seq & 65535) = 65535;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 17 AND idx = audit_event.seq >> 17) AS BLOB) WHERE seq >= 131071 AND (seq & 131071) = 131071;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 18 AND idx = audit_event.seq >> 18) AS BLOB) WHERE seq >= 262143 AND (seq & 262143) = 262143;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 19 AND idx = audit_event.seq >> 19) AS BLOB) WHERE seq >= 524287 AND (seq & 524287) = 524287;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 20 AND idx = audit_event.seq >> 20) AS BLOB) WHERE seq >= 1048575 AND (seq & 1048575) = 1048575;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 21 AND idx = audit_event.seq >> 21) AS BLOB) WHERE seq >= 2097151 AND (seq & 2097151) = 2097151;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 22 AND idx = audit_event.seq >> 22) AS BLOB) WHERE seq >= 4194303 AND (seq & 4194303) = 4194303;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 23 AND idx = audit_event.seq >> 23) AS BLOB) WHERE seq >= 8388607 AND (seq & 8388607) = 8388607;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 24 AND idx = audit_event.seq >> 24) AS BLOB) WHERE seq >= 16777215 AND (seq & 16777215) = 16777215;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 25 AND idx = audit_event.seq >> 25) AS BLOB) WHERE seq >= 33554431 AND (seq & 33554431) = 33554431;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 26 AND idx = audit_event.seq >> 26) AS BLOB) WHERE seq >= 67108863 AND (seq & 67108863) = 67108863;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 27 AND idx = audit_event.seq >> 27) AS BLOB) WHERE seq >= 134217727 AND (seq & 134217727) = 134217727;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 28 AND idx = audit_event.seq >> 28) AS BLOB) WHERE seq >= 268435455 AND (seq & 268435455) = 268435455;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 29 AND idx = audit_event.seq >> 29) AS BLOB) WHERE seq >= 536870911 AND (seq & 536870911) = 536870911;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 30 AND idx = audit_event.seq >> 30) AS BLOB) WHERE seq >= 1073741823 AND (seq & 1073741823) = 1073741823;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 31 AND idx = audit_event.seq >> 31) AS BLOB) WHERE seq >= 2147483647 AND (seq & 2147483647) = 2147483647;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 32 AND idx = audit_event.seq >> 32) AS BLOB) WHERE seq >= 4294967295 AND (seq & 4294967295) = 4294967295;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 33 AND idx = audit_event.seq >> 33) AS BLOB) WHERE seq >= 8589934591 AND (seq & 8589934591) = 8589934591;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 34 AND idx = audit_event.seq >> 34) AS BLOB) WHERE seq >= 17179869183 AND (seq & 17179869183) = 17179869183;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 35 AND idx = audit_event.seq >> 35) AS BLOB) WHERE seq >= 34359738367 AND (seq & 34359738367) = 34359738367;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 36 AND idx = audit_event.seq >> 36) AS BLOB) WHERE seq >= 68719476735 AND (seq & 68719476735) = 68719476735;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 37 AND idx = audit_event.seq >> 37) AS BLOB) WHERE seq >= 137438953471 AND (seq & 137438953471) = 137438953471;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 38 AND idx = audit_event.seq >> 38) AS BLOB) WHERE seq >= 274877906943 AND (seq & 274877906943) = 274877906943;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 39 AND idx = audit_event.seq >> 39) AS BLOB) WHERE seq >= 549755813887 AND (seq & 549755813887) = 549755813887;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 40 AND idx = audit_event.seq >> 40) AS BLOB) WHERE seq >= 1099511627775 AND (seq & 1099511627775) = 1099511627775;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 41 AND idx = audit_event.seq >> 41) AS BLOB) WHERE seq >= 2199023255551 AND (seq & 2199023255551) = 2199023255551;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 42 AND idx = audit_event.seq >> 42) AS BLOB) WHERE seq >= 4398046511103 AND (seq & 4398046511103) = 4398046511103;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 43 AND idx = audit_event.seq >> 43) AS BLOB) WHERE seq >= 8796093022207 AND (seq & 8796093022207) = 8796093022207;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 44 AND idx = audit_event.seq >> 44) AS BLOB) WHERE seq >= 17592186044415 AND (seq & 17592186044415) = 17592186044415;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 45 AND idx = audit_event.seq >> 45) AS BLOB) WHERE seq >= 35184372088831 AND (seq & 35184372088831) = 35184372088831;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 46 AND idx = audit_event.seq >> 46) AS BLOB) WHERE seq >= 70368744177663 AND (seq & 70368744177663) = 70368744177663;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 47 AND idx = audit_event.seq >> 47) AS BLOB) WHERE seq >= 140737488355327 AND (seq & 140737488355327) = 140737488355327;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 48 AND idx = audit_event.seq >> 48) AS BLOB) WHERE seq >= 281474976710655 AND (seq & 281474976710655) = 281474976710655;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 49 AND idx = audit_event.seq >> 49) AS BLOB) WHERE seq >= 562949953421311 AND (seq & 562949953421311) = 562949953421311;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 50 AND idx = audit_event.seq >> 50) AS BLOB) WHERE seq >= 1125899906842623 AND (seq & 1125899906842623) = 1125899906842623;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 51 AND idx = audit_event.seq >> 51) AS BLOB) WHERE seq >= 2251799813685247 AND (seq & 2251799813685247) = 2251799813685247;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 52 AND idx = audit_event.seq >> 52) AS BLOB) WHERE seq >= 4503599627370495 AND (seq & 4503599627370495) = 4503599627370495;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 53 AND idx = audit_event.seq >> 53) AS BLOB) WHERE seq >= 9007199254740991 AND (seq & 9007199254740991) = 9007199254740991;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 54 AND idx = audit_event.seq >> 54) AS BLOB) WHERE seq >= 18014398509481983 AND (seq & 18014398509481983) = 18014398509481983;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 55 AND idx = audit_event.seq >> 55) AS BLOB) WHERE seq >= 36028797018963967 AND (seq & 36028797018963967) = 36028797018963967;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 56 AND idx = audit_event.seq >> 56) AS BLOB) WHERE seq >= 72057594037927935 AND (seq & 72057594037927935) = 72057594037927935;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 57 AND idx = audit_event.seq >> 57) AS BLOB) WHERE seq >= 144115188075855871 AND (seq & 144115188075855871) = 144115188075855871;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 58 AND idx = audit_event.seq >> 58) AS BLOB) WHERE seq >= 288230376151711743 AND (seq & 288230376151711743) = 288230376151711743;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 59 AND idx = audit_event.seq >> 59) AS BLOB) WHERE seq >= 576460752303423487 AND (seq & 576460752303423487) = 576460752303423487;
UPDATE audit_event SET tree = CAST(tree || (SELECT hash FROM audit_node WHERE level = 60 AND idx = audit_event.seq >> 60) AS BLOB) WHERE seq >= 1152921504606846975 AND (seq & 1152921504606846975) = 1152921504606846975;
DELETE FROM audit_node WHERE EXISTS (SELECT 1 FROM audit_event e WHERE e.seq = ((audit_node.idx + 1) << audit_node.level) - 1);
DROP INDEX audit_node_migrate;
-- 2. The time index goes (it cost a page per commit): audit_time holds the earliest and latest
--    time_us of every complete block of 256 events (block = seq / 256), written by the append that
--    completes the block. A period query reads it to bound the seq range it scans.
DROP INDEX audit_event_time;
CREATE TABLE audit_time (
	block INTEGER PRIMARY KEY,
	min_us INTEGER NOT NULL,
	max_us INTEGER NOT NULL
);
INSERT INTO audit_time (block, min_us, max_us)
	SELECT seq >> 8, MIN(time_us), MAX(time_us) FROM audit_event
	WHERE seq < ((SELECT MAX(seq) + 1 FROM audit_event) >> 8) << 8 GROUP BY seq >> 8;

# Fuzz target: the audit module's proof decoder and RFC 9162 verifiers (src/lib/audit/merkle.c).
attt_fuzz(proof LIBS attt_audit attt_db attt_base)

# Fuzz target: the policy profile loader (src/lib/policy) on profile text.
attt_fuzz(profile LIBS attt_policy attt_config attt_base)

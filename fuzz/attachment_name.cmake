# Fuzz target: R8.6 file names, Content-Disposition and type sniffing of attachments
# (src/lib/incident/attach.c).
attt_fuzz(attachment_name LIBS attt_incident attt_scan attt_config attt_notify attt_auth attt_audit attt_policy attt_db attt_base)

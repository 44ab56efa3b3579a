"""The kinds of audit entries, with the labels the audit page shows.

Apps record their own kinds through `voqo.events.record_audit`; a kind not listed here is
still kept and shown by its own name.
"""

KIND_LABELS: dict[str, str] = {
    "login": "Logged in",
    "agent.prompt_changed": "Prompt or greeting changed",
    "settings.changed": "Settings changed",
    "recording.played": "Recording played",
    "recording.downloaded": "Recording downloaded",
    "export": "Export",
    "memory.changed": "Memory edited",
    "memory.deleted": "Memory deleted",
    "opt_out.changed": "Opt-out changed",
    "api_key.changed": "API key changed",
    "webhook_endpoint.changed": "Webhook endpoint changed",
    "member.invited": "Member invited",
    "member.joined": "Member joined",
    "member.role_changed": "Role changed",
    "member.removed": "Member removed",
    "invitation.withdrawn": "Invitation withdrawn",
    "retention.changed": "Retention changed",
    "contact.forgotten": "Person forgotten",
    "contact.access_export": "Access request export",
    "purge": "Purge",
    "voice.consent": "Voice consent recorded",
    "voice.cloned": "Voice cloned",
    "voice.clone_failed": "Voice clone failed",
    "voice.clone_expired": "Expired voice clone deleted",
    "voice.renamed": "Voice renamed",
    "voice.deleted": "Voice deleted",
    "voice.sample_added": "Voice sample added",
    "voice.caller_mapped": "Caller given a voice",
    "voice.caller_unmapped": "Caller's voice removed",
}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)

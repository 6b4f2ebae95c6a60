fn main() {
    // App commands are declared here so that the capability files can grant them one by
    // one; a command not granted to a window cannot be called from it.
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(
        tauri_build::AppManifest::new().commands(&[
            "words",
            "overview",
            "list_buyers",
            "buyer_detail",
            "search",
            "load_demo",
            "set_note",
            "set_tags",
            "import_files",
            "cancel_import",
            "pick_export_files",
            "get_settings",
            "save_settings",
            "agenda",
            "buyer_followups",
            "snooze_followup",
            "done_followup",
            "add_followup",
            "sign_in",
            "account",
            "team",
            "create_account",
            "set_state",
            "new_inquiry",
            "transfer",
            "close_conversation",
            "conversations",
            "greet",
        ]),
    ))
    .unwrap_or_else(|e| panic!("tauri build step failed: {e:#}"));
}

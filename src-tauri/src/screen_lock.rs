//! Suspends the signed-in agent while the PC's screen is locked (setting
//! `suspend_when_locked`, on by default) and brings it back on unlocking. Desktops announce
//! the lock on the session bus (`ActiveChanged` of `org.freedesktop.ScreenSaver`, or of
//! `org.gnome.ScreenSaver`). Any program on the bus can send such a signal, so only one
//! from the owner of the screensaver's bus name is obeyed. Suspend, not offline: the agent's buyers stay with it, new
//! ones go to teammates. The rule is kefu-core's `team::on_screen_lock`.

use futures_util::StreamExt;
use tauri::{AppHandle, Manager, Runtime};

use crate::events;
use crate::Workbench;

const INTERFACES: [&str; 2] = ["org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver"];

pub fn start<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        // A desktop without a session bus has no lock to follow: nothing else depends on it.
        if let Err(e) = follow(&app).await {
            eprintln!("kefu-desk: screen lock: {e}");
        }
    });
}

async fn follow<R: Runtime>(app: &AppHandle<R>) -> zbus::Result<()> {
    let bus = zbus::Connection::session().await?;
    let rule = zbus::MatchRule::builder()
        .msg_type(zbus::message::Type::Signal)
        .member("ActiveChanged")
        .build()?;
    let mut signals = zbus::MessageStream::for_match_rule(rule, &bus, None).await?;
    let dbus = zbus::fdo::DBusProxy::new(&bus).await?;
    let mut suspended_by_lock = false;
    while let Some(message) = signals.next().await {
        let Ok(message) = message else { continue };
        let header = message.header();
        let Some(interface) = header
            .interface()
            .filter(|i| INTERFACES.contains(&i.as_str()))
        else {
            continue;
        };
        // The screensaver owns the bus name its interface is named after. The owner is
        // asked at each signal: a desktop's screensaver may restart, and locks are rare.
        let sender = header.sender().map(|s| s.as_str().to_owned());
        let owner = match zbus::names::BusName::try_from(interface.as_str()) {
            Ok(name) => dbus.get_name_owner(name).await.ok(),
            Err(_) => None,
        };
        if sender.is_none() || sender.as_deref() != owner.as_ref().map(|o| o.as_str()) {
            eprintln!(
                "kefu-desk: screen lock: ignored {interface}.ActiveChanged from {}: not from the screensaver",
                sender.as_deref().unwrap_or("an unnamed sender")
            );
            continue;
        }
        let Ok(locked) = message.body().deserialize::<bool>() else {
            continue;
        };
        suspended_by_lock = react(app, locked, suspended_by_lock).await;
    }
    Ok(())
}

/// Applies the rule to the signed-in agent; returns whether the lock has it suspended now.
async fn react<R: Runtime>(app: &AppHandle<R>, locked: bool, suspended_by_lock: bool) -> bool {
    let on = crate::load_settings().is_ok_and(|s| s.suspend_when_locked);
    let wb = app.state::<Workbench>();
    let (true, Ok(desk)) = (on, wb.desk().await) else {
        return false;
    };
    let Ok(me) = desk.account() else {
        return false;
    };
    let now = crate::clock::now();
    let state = match desk.team(now).await {
        Ok(team) => team
            .into_iter()
            .find(|m| m.agent.id == me.id)
            .map(|m| m.agent.state),
        Err(e) => {
            eprintln!("kefu-desk: screen lock: {e}");
            None
        }
    };
    let Some(state) = state else {
        return suspended_by_lock && locked;
    };
    let Some(to) = kefu_core::team::on_screen_lock(me.role, state, locked, suspended_by_lock)
    else {
        return suspended_by_lock && locked;
    };
    match desk.set_state(None, to.code(), now).await {
        Ok(changed) => {
            events::publish(app, changed);
            to == kefu_core::team::AgentState::Suspended
        }
        Err(e) => {
            eprintln!("kefu-desk: screen lock: {e}");
            suspended_by_lock && locked
        }
    }
}

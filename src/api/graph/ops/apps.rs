//! The apps subscribed to a WABA's webhooks: list (`GET /{waba}/subscribed_apps`), subscribe
//! (`POST`, optionally with an override callback) and unsubscribe (`DELETE`).

use super::super::prepare::Prepared;
use super::super::render;
use super::{Fail, success};
use crate::api::json::Obj;
use crate::world::{Principal, World};

pub fn list(w: &World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    let waba = w.managed_waba(who, &p.route.node)?;
    let mut buf = Vec::with_capacity(256);
    let mut o = Obj::new(&mut buf);
    o.arr("data", |a| {
        for sub in &waba.subscriptions {
            a.obj(|item| render::subscribed_app(item, w, sub));
        }
    });
    o.end();
    Ok(buf)
}

pub fn subscribe(w: &mut World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    let node = p.route.node.as_str();
    w.managed_waba(who, node)?;
    let uri = p.params.text("override_callback_uri");
    let token = p.params.text("verify_token");
    w.subscribe_app(who, node, uri.as_deref(), token.as_deref())?;
    Ok(success())
}

pub fn unsubscribe(w: &mut World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    w.unsubscribe_app(who, &p.route.node)?;
    Ok(success())
}

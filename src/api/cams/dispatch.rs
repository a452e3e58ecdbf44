//! Which handler answers which operation, and the one place a handler's failure becomes an
//! Alibaba error (a world's parameter error named in Alibaba's parameter names). The handlers
//! live by family in `operations.rs`, `phone_settings.rs`, `send.rs` and `mass.rs`, which
//! share their helpers through `operations.rs`.

use super::errors::{CamsError, from_domain};
use super::operations::{self as ops, Failure, Handled, alibaba_name, rename_in};
use super::{Op, Prepared, mass, phone_settings, send};
use crate::world::{DomainError, Principal, World};

/// Runs a prepared request; the body on success, the error in Alibaba's terms otherwise (a
/// world's parameter error named in Alibaba's parameter names).
pub fn run(w: &mut World, p: &Prepared) -> Result<Vec<u8>, CamsError> {
    let who = w.partner_principal(p.partner);
    dispatch(w, &who, p).map_err(|e| match e {
        Failure::World(DomainError::InvalidParameter { param, details }) => from_domain(
            &DomainError::InvalidParameter {
                param: alibaba_name(p.op, &param).to_string(),
                details: rename_in(p.op, &details),
            },
            p.op,
        ),
        Failure::World(other) => from_domain(&other, p.op),
        Failure::Cams(e) => e,
    })
}

/// The operation's handler: one function per operation (or pair of operations that differ
/// only in their answer), grouped below by family.
fn dispatch(w: &mut World, who: &Principal, p: &Prepared) -> Handled {
    match p.op {
        // Migration and verification codes.
        Op::CreateChatappMigrationInitiate => ops::migration_initiate(w, who, p),
        Op::GetMigrationVerifyCode | Op::GetChatappVerifyCode => ops::request_code(w, who, p),
        Op::ChatappMigrationVerified => ops::verify_code(w, who, p),
        Op::GetPhoneNumberVerificationStatus => ops::verification_status(w, who, p),
        // Registration.
        Op::ChatappMigrationRegister | Op::ChatappPhoneNumberRegister => ops::register(w, who, p),
        Op::ChatappVerifyAndRegister => ops::verify_and_register(w, who, p),
        Op::ChatappPhoneNumberDeregister => ops::deregister(w, who, p),
        // Spaces and phone numbers.
        Op::ChatappBindWaba => ops::bind_waba(w, who, p),
        Op::QueryChatappBindWaba => ops::bound_waba(w, who, p),
        Op::AddChatappPhoneNumber => ops::add_phone_number(w, who, p),
        Op::ChatappSyncPhoneNumber | Op::QueryChatappPhoneNumbers => ops::phone_numbers(w, who, p),
        Op::GetChatappPhoneNumberMetric => ops::metrics(w, who, p),
        // Templates.
        Op::ListChatappTemplate => ops::list_templates(w, who, p),
        Op::GetChatappTemplateDetail => ops::template_detail(w, who, p),
        Op::CreateChatappTemplate => ops::create_template(w, who, p),
        // Phone-number management (H5).
        Op::UpdateAccountWebhook => phone_settings::update_account_webhook(w, who, p),
        Op::UpdatePhoneWebhook => phone_settings::update_phone_webhook(w, who, p),
        Op::QueryPhoneBusinessProfile => phone_settings::query_profile(w, who, p),
        Op::ModifyPhoneBusinessProfile => phone_settings::modify_profile(w, who, p),
        // Messaging.
        Op::SendChatappMessage => send::send_message(w, who, p),
        Op::SendChatappMassMessage => mass::send_mass_message(w, who, p),
    }
}

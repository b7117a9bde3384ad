"""Portal services: citizen accounts (SMS codes, registration, sign-in, real-name details, password reset).

Every change is atomic and audited. Citizens are not staff users: the audit entry carries a label
("网上用户12（138****5678）") and no staff actor."""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from govhall.cases.applicants import applicant_actor
from govhall.cases.materials import MaterialState, missing_required
from govhall.cases.models import (
    ApplicantKind,
    Case,
    CaseMaterial,
    CaseStatus,
    Channel,
    IdType,
    MaterialStatus,
    SuspensionKind,
)
from govhall.cases.services import case_attach_file, case_receive
from govhall.cases.uploads import remove_stored
from govhall.catalog.models import Material, Matter, ServiceObject
from govhall.core.actors import CitizenActor  # re-exported: the portal's callers import it from here
from govhall.core.audit import audit_record
from govhall.core.crypto import lookup_digest, sm3_hex, token_digest
from govhall.core.errors import Conflict, Forbidden, NotFound, ServiceError, field_error
from govhall.core.ids import mask_mobile, normalize_id_card, normalize_mobile, normalize_uscc
from govhall.core.ratelimit import Limiter
from govhall.exchange.services import notify_sms
from govhall.onething.handling import Scan, online_actor, thing_case_receive
from govhall.onething.models import ThingCase
from govhall.orgs.models import Centre
from govhall.portal import conf, identity
from govhall.portal.models import (
    AccountKind,
    CaseLink,
    Citizen,
    CitizenAppointment,
    DeliveryChoice,
    IdentityLevel,
    LinkMethod,
    OnlineApplication,
    OnlineCommitment,
    OnlineUpload,
    SmsChallenge,
    SmsPurpose,
    Supplement,
    ThingLink,
    UploadPurpose,
)
from govhall.portal.selectors import case_by_number, online_offered
from govhall.portal.uploads import MAX_FILES_PER_MATERIAL, CleanFile
from govhall.queueing.services import appointment_book, appointment_cancel


def citizen_actor(citizen: Citizen | None) -> CitizenActor:
    return CitizenActor(str(citizen) if citizen is not None else "网上访客")


def _mobile(value: str, field: str = "mobile") -> str:
    try:
        return normalize_mobile(value)
    except ValidationError as exc:
        raise field_error(field, exc.messages[0]) from None


def _password(value: str, field: str = "password") -> None:
    try:
        validate_password(value)
    except ValidationError as exc:
        raise field_error(field, "；".join(exc.messages)) from None


def send_sms(
    *, phone: str, text: str, related: Any = None, template: str = "", sensitive: bool = False
) -> None:
    """Through the notification outbox, in the caller's transaction (its log backend prints the text in
    development, which is how a developer reads a verification code)."""
    notify_sms(phone=phone, text=text, related=related, template=template, sensitive=sensitive)


# --- SMS codes -----------------------------------------------------------------------------------

# The portal's counters in the one rate limiter (core.ratelimit): code sending, password and link guessing.
ratelimit = Limiter("portal:rl:")

CODE_SENT = "验证码已发送，请查收短信（5分钟内有效）。"


def _code_digest(challenge_key: str, code: str) -> str:
    return token_digest(f"portal-sms:{challenge_key}:{code}")


def _code_limits(mobile_digest: str, ip: str) -> None:
    """Limits on sending to one number (one a minute, a few an hour) and from one address (a cap an hour).
    They count every request alike, whether or not the number has an account (NET-1: no enumeration)."""
    resend = conf.get("PORTAL_SMS_RESEND_SECONDS")
    ratelimit.require_below(
        f"sms-gap:{mobile_digest}", limit=1, window=resend, message="验证码发送过于频繁，"
    )
    ratelimit.consume(
        f"sms-hour:{mobile_digest}",
        limit=conf.get("PORTAL_SMS_PER_MOBILE_HOUR"),
        window=3600,
        message="该号码今天获取验证码次数过多，",
    )
    if ip:
        ratelimit.consume(
            f"sms-ip:{ip}",
            limit=conf.get("PORTAL_SMS_PER_IP_HOUR"),
            window=3600,
            message="本网络获取验证码次数过多，",
        )
    ratelimit.hit(f"sms-gap:{mobile_digest}", window=resend)


def _new_challenge(
    *, mobile: str, challenge_digest: str, purpose: str, text: str | None, related: Any = None
) -> SmsChallenge:
    """A fresh 6-digit code for (challenge_digest, purpose), replacing older ones, sent by SMS. `text` has a
    `{code}` and a `{minutes}` placeholder; None: the code is never sent (a decoy that no guess can use up
    differently from a real one)."""
    code = f"{secrets.randbelow(10**6):06d}"
    key = secrets.token_hex(8)
    now = timezone.now()
    ttl = conf.get("PORTAL_SMS_CODE_TTL")
    with transaction.atomic():
        # A new code replaces the older ones: only the latest can be used.
        SmsChallenge.objects.filter(
            mobile_digest=challenge_digest, purpose=purpose, used_at__isnull=True
        ).update(used_at=now)
        challenge = SmsChallenge.objects.create(
            mobile_digest=challenge_digest,
            purpose=purpose,
            code_digest=f"{key}${_code_digest(key, code)}",
            created_at=now,
            expires_at=now + timedelta(seconds=ttl),
        )
        if text is not None:
            send_sms(
                phone=mobile,
                related=related or challenge,
                template=f"portal.sms_code.{purpose}",
                sensitive=True,
                text=text.format(code=code, minutes=ttl // 60),
            )
    return challenge


def sms_code_send(*, mobile: str, purpose: str, ip: str = "") -> SmsChallenge:
    """The "获取验证码" of registration and password reset. Everything the visitor can observe is the same
    whether or not the number has an account (no enumeration, NET-1): the same limits, a challenge stored
    either way (so a wrong guess afterwards answers alike). Only the SMS tells the truth: a registered number
    asking to register gets a reminder instead of a code, an unknown number asking for a reset gets nothing."""
    mobile = _mobile(mobile)
    if purpose not in (SmsPurpose.REGISTER, SmsPurpose.RESET):
        raise field_error("purpose", "验证码用途不正确。")
    digest = lookup_digest(mobile)
    _code_limits(digest, ip)
    exists = Citizen.objects.filter(mobile_digest=digest).exists()
    text: str | None = (
        f"【启东政务服务】您的{SmsPurpose(purpose).label}验证码为{{code}}，{{minutes}}分钟内有效。"
        "请勿告诉他人。"
    )
    if purpose == SmsPurpose.REGISTER and exists:
        text = None
        send_sms(
            phone=mobile,
            template="portal.sms_code.register_taken",
            text="【启东政务服务】该手机号已注册网上办事账户，请直接登录；如忘记密码请使用找回密码。"
            "如非本人操作，请忽略本短信。",
        )
    elif purpose == SmsPurpose.RESET and not exists:
        text = None
    return _new_challenge(mobile=mobile, challenge_digest=digest, purpose=purpose, text=text)


def _check_challenge(challenge_digest: str, purpose: str, code: str) -> None:
    code = (code or "").strip()
    now = timezone.now()
    max_attempts = conf.get("PORTAL_SMS_CODE_ATTEMPTS")
    failure: ServiceError | None = None
    # The block commits a wrong guess's count before the error is raised, so a rollback cannot undo it.
    with transaction.atomic():
        challenge = (
            SmsChallenge.objects.select_for_update()
            .filter(mobile_digest=challenge_digest, purpose=purpose, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if challenge is None or challenge.expires_at <= now:
            failure = field_error("code", "验证码已失效，请重新获取。", code="code_expired")
        elif challenge.attempts >= max_attempts:
            failure = field_error("code", "验证码错误次数过多，请重新获取。", code="code_exhausted")
        else:
            key, _, stored = challenge.code_digest.partition("$")
            matches = code.isdigit() and secrets.compare_digest(stored, _code_digest(key, code))
            SmsChallenge.objects.filter(pk=challenge.pk).update(
                attempts=challenge.attempts + 1, used_at=now if matches else None
            )
            if not matches:
                left = max_attempts - challenge.attempts - 1
                failure = field_error(
                    "code",
                    "验证码不正确。" + (f"还可尝试{left}次。" if left > 0 else "请重新获取验证码。"),
                    code="code_wrong",
                )
    if failure is not None:
        raise failure


def sms_code_check(*, mobile: str, purpose: str, code: str) -> None:
    """Consume the latest code for (mobile, purpose) or raise. Wrong codes count; after the allowed attempts
    the code is dead and a new one must be requested."""
    _check_challenge(lookup_digest(mobile), purpose, code)


# --- accounts ---------------------------------------------------------------------------------------


def citizen_register(*, mobile: str, code: str, password: str, kind: str = AccountKind.PERSON) -> Citizen:
    """Create an account after the SMS code checks out. Real-name details come next (citizen_declare_*).
    The code is checked before anything is said about the number: a registered number never got a code,
    so it fails like any wrong code."""
    mobile = _mobile(mobile)
    if kind not in AccountKind.values:
        raise field_error("kind", "请选择账户类型（个人或法人）。")
    _password(password)
    digest = lookup_digest(mobile)
    # The code check commits on its own so a wrong guess is counted even when registration fails.
    sms_code_check(mobile=mobile, purpose=SmsPurpose.REGISTER, code=code)
    taken = field_error(
        "mobile", "该手机号码已注册，请直接登录；忘记密码可通过短信找回。", code="mobile_taken"
    )
    if Citizen.objects.filter(mobile_digest=digest).exists():
        raise taken  # registered in the meantime; the visitor has just proved they hold the number
    try:
        with transaction.atomic():
            citizen = Citizen(kind=kind, mobile=mobile, mobile_digest=digest)
            citizen.set_password(password)
            citizen.save()
            audit_record(
                action="portal.citizen.register",
                obj=citizen,
                actor=citizen_actor(citizen),
                after={"kind": kind, "mobile": mask_mobile(mobile)},
            )
    except IntegrityError:  # the same number registered a moment ago in another request
        raise taken from None
    return citizen


def citizen_authenticate(*, mobile: str, password: str, ip: str = "") -> Citizen:
    """The account for mobile + password. After PORTAL_LOGIN_FAILURES wrong passwords for a number the number
    is locked for PORTAL_LOGIN_WINDOW seconds; an address is capped too (many numbers from one place)."""
    try:
        mobile = normalize_mobile(mobile)
    except ValidationError:
        raise ServiceError("手机号码或密码不正确。", code="bad_credentials") from None
    digest = lookup_digest(mobile)
    window = conf.get("PORTAL_LOGIN_WINDOW")
    fail_key = f"login-fail:{digest}"
    ratelimit.require_below(
        fail_key,
        limit=conf.get("PORTAL_LOGIN_FAILURES"),
        window=window,
        message="密码连续输错次数过多，账户已暂时锁定，",
    )
    if ip:
        ratelimit.require_below(
            f"login-ip:{ip}",
            limit=conf.get("PORTAL_LOGIN_PER_IP"),
            window=window,
            message="本网络登录失败次数过多，",
        )
    citizen = Citizen.objects.filter(mobile_digest=digest, is_active=True).first()
    if citizen is None or not citizen.check_password(password or ""):
        if citizen is None:
            Citizen().check_password(password or "")  # same work either way: timing tells nothing
        failures = ratelimit.hit(fail_key, window=window)
        if ip:
            ratelimit.hit(f"login-ip:{ip}", window=window)
        left = conf.get("PORTAL_LOGIN_FAILURES") - failures
        hint = (
            f"再输错{left}次，账户将锁定{ratelimit.wait_text(window)}。"
            if left > 0
            else f"账户已锁定，请{ratelimit.wait_text(window)}后再试或通过短信找回密码。"
        )
        raise ServiceError("手机号码或密码不正确。" + hint, code="bad_credentials")
    ratelimit.clear(fail_key)
    return citizen


def _checked_text(value: str, field: str, message: str, errors: dict[str, str], longest: int) -> str:
    value = (value or "").strip()
    if not 2 <= len(value) <= longest:
        errors[field] = message
    return value


def _checked_id_card(value: str, field: str, errors: dict[str, str]) -> str:
    try:
        return normalize_id_card(value)
    except ValidationError as exc:
        errors[field] = exc.messages[0]
        return ""


def _save_declared(citizen: Citizen, fields: dict[str, Any]) -> Citizen:
    """Write the checked real-name fields as self-declared (an earlier check no longer applies) and audit it
    (masked values only)."""
    with transaction.atomic():
        for name, value in fields.items():
            setattr(citizen, name, value)
        citizen.identity_level = IdentityLevel.SELF_DECLARED
        citizen.declared_at = timezone.now()
        citizen.save(update_fields=[*fields, "identity_level", "declared_at"])
        after = {"kind": citizen.kind, "id_number": citizen.id_masked, "level": citizen.identity_level}
        if citizen.is_enterprise:
            after.update(uscc=citizen.uscc_masked, org_name=citizen.org_name)
        audit_record(action="portal.citizen.declare", obj=citizen, actor=citizen_actor(citizen), after=after)
    return citizen


def _refuse_if_verified(citizen: Citizen) -> None:
    if citizen.is_verified:
        raise Conflict("该账户已通过实名核验，如需更正请到服务中心窗口办理。")


def citizen_declare_person(*, citizen: Citizen, real_name: str, id_number: str) -> Citizen:
    """Real-name details of a person account as typed in: name and 居民身份证号 (format and check digit
    validated, stored encrypted with a look-up digest). They are *self-declared*: enough to fill application
    forms, never enough to see other records (only `citizen_identity_check` makes them verified). Another
    account may have declared the same number: that unlocks nothing for either."""
    if citizen.kind != AccountKind.PERSON:
        raise field_error("kind", "法人账户请填写企业信息。")
    _refuse_if_verified(citizen)
    errors: dict[str, str] = {}
    real_name = _checked_text(real_name, "real_name", "请填写与身份证一致的姓名（2至40个字）。", errors, 40)
    id_number = _checked_id_card(id_number, "id_number", errors)
    if errors:
        raise ServiceError("实名信息有误，请检查标注的字段。", fields=errors)
    return _save_declared(
        citizen, {"real_name": real_name, "id_number": id_number, "id_digest": lookup_digest(id_number)}
    )


def citizen_declare_enterprise(
    *, citizen: Citizen, org_name: str, uscc: str, legal_rep_name: str, legal_rep_id_number: str
) -> Citizen:
    """Enterprise details as typed in (self-declared): name, 统一社会信用代码 (check character validated) and
    the legal representative's name and 身份证号 (encrypted)."""
    if citizen.kind != AccountKind.ENTERPRISE:
        raise field_error("kind", "个人账户请填写个人实名信息。")
    _refuse_if_verified(citizen)
    errors: dict[str, str] = {}
    org_name = _checked_text(org_name, "org_name", "请填写与营业执照一致的企业名称。", errors, 100)
    try:
        uscc = normalize_uscc(uscc)
    except ValidationError as exc:
        errors["uscc"] = exc.messages[0]
    legal_rep_name = _checked_text(legal_rep_name, "legal_rep_name", "请填写法定代表人姓名。", errors, 40)
    legal_rep_id_number = _checked_id_card(legal_rep_id_number, "legal_rep_id_number", errors)
    if errors:
        raise ServiceError("企业信息有误，请检查标注的字段。", fields=errors)
    return _save_declared(
        citizen,
        {
            "org_name": org_name,
            "uscc": uscc,
            "real_name": legal_rep_name,
            "id_number": legal_rep_id_number,
            "id_digest": lookup_digest(legal_rep_id_number),
        },
    )


def _claim(citizen: Citizen) -> identity.IdentityClaim:
    return identity.IdentityClaim(
        kind=citizen.kind,
        name=citizen.real_name,
        id_number=citizen.id_number,
        mobile=citizen.mobile,
        org_name=citizen.org_name,
        uscc=citizen.uscc,
    )


def _same_identity(citizen: Citizen) -> Any:
    """Other verified accounts holding the identity `citizen` is being verified for."""
    others = Citizen.objects.filter(kind=citizen.kind, identity_level=IdentityLevel.VERIFIED).exclude(
        pk=citizen.pk
    )
    if citizen.is_enterprise:
        return others.filter(uscc=citizen.uscc)
    return others.filter(id_digest=citizen.id_digest)


def _take_over_from(previous: Citizen, by: Citizen) -> None:
    """`by` was verified for the identity `previous` held: `previous` drops back to self-declared (its own
    applications and proved links stay), is told on its pages and by SMS, and the change is audited."""
    what = (
        f"统一社会信用代码（{previous.uscc_masked}）"
        if previous.is_enterprise
        else f"身份证号码（{previous.id_masked}）"
    )
    previous.identity_level = IdentityLevel.SELF_DECLARED
    previous.verified_at, previous.verified_by, previous.verified_ref = None, "", ""
    previous.identity_notice = (
        f"{timezone.localtime():%Y-%m-%d %H:%M}，另一账户通过实名核验绑定了您账户的{what}，"
        "本账户已改为“自行填报（未核验）”状态，不再按证件号码显示窗口办件（已关联的办件不受影响）。"
        "如非本人操作，请携身份证到服务中心处理。"
    )[:300]
    previous.save(
        update_fields=["identity_level", "verified_at", "verified_by", "verified_ref", "identity_notice"]
    )
    audit_record(
        action="portal.citizen.identity_taken_over",
        obj=previous,
        actor=citizen_actor(by),
        before={"level": IdentityLevel.VERIFIED},
        after={"level": previous.identity_level, "by": str(by)},
    )
    send_sms(
        phone=previous.mobile,
        related=previous,
        template="portal.identity.taken_over",
        text=f"【启东政务服务】您的网上办事账户（{previous.mobile_masked}）实名绑定的{what}已被另一账户通过实名核验绑定，"
        "本账户已改为未核验状态。如非本人操作，请携身份证到服务中心处理。",
    )


def citizen_identity_check(*, citizen: Citizen, ip: str = "") -> identity.IdentityResult:
    """Ask the 实名核验 backend whether the account's declared name and ID number belong together. A match
    makes the account verified — taking the identity over from another verified account, which is notified.
    No match, an unavailable service or an error leaves the account as it was. Checks are rate-limited per
    account and per address (the service must not become an oracle for name + ID number pairs)."""
    backend = identity.get_backend()
    if not citizen.has_identity:
        raise field_error("real_name", "请先填写实名信息。")
    if citizen.is_verified:
        return identity.IdentityResult(identity.Outcome.MATCH, "该账户已通过实名核验。", citizen.verified_ref)
    if not backend.available:
        return backend.check(_claim(citizen))
    ratelimit.consume(
        f"idcheck:{citizen.pk}",
        limit=conf.get("PORTAL_IDENTITY_CHECKS_PER_DAY"),
        window=86400,
        message="今天的实名核验次数已用完，",
    )
    if ip:
        ratelimit.consume(
            f"idcheck-ip:{ip}",
            limit=conf.get("PORTAL_IDENTITY_CHECKS_PER_IP_DAY"),
            window=86400,
            message="本网络实名核验次数过多，",
        )
    result = backend.check(_claim(citizen))
    audit_record(
        action="portal.citizen.identity_check",
        obj=citizen,
        actor=citizen_actor(citizen),
        after={
            "backend": backend.label,
            "outcome": result.outcome.value,
            "reference": result.reference,
            "id_number": citizen.id_masked,
        },
    )
    if not result.matched:
        return result
    try:
        with transaction.atomic():
            for previous in _same_identity(citizen).select_for_update():
                _take_over_from(previous, citizen)
            citizen.identity_level = IdentityLevel.VERIFIED
            citizen.verified_at = timezone.now()
            citizen.verified_by, citizen.verified_ref = backend.label, result.reference
            citizen.save(update_fields=["identity_level", "verified_at", "verified_by", "verified_ref"])
            audit_record(
                action="portal.citizen.verify",
                obj=citizen,
                actor=citizen_actor(citizen),
                after={
                    "kind": citizen.kind,
                    "id_number": citizen.id_masked,
                    "backend": backend.label,
                    "reference": result.reference,
                },
            )
    except IntegrityError:  # another account verified for the same number in the same instant
        citizen.refresh_from_db()
        raise Conflict("实名核验未完成，请稍后再试。") from None
    return result


def citizen_notice_dismiss(*, citizen: Citizen) -> None:
    Citizen.objects.filter(pk=citizen.pk).update(identity_notice="")
    citizen.identity_notice = ""


def citizen_password_reset(*, mobile: str, code: str, password: str) -> Citizen:
    """A new password after an SMS code; every open session of the account ends (see auth.session_hash).
    An unknown number never got a code, so it fails like any wrong code (no enumeration)."""
    mobile = _mobile(mobile)
    _password(password)
    sms_code_check(mobile=mobile, purpose=SmsPurpose.RESET, code=code)
    citizen = Citizen.objects.filter(mobile_digest=lookup_digest(mobile), is_active=True).first()
    if citizen is None:  # deactivated since the code was sent; the visitor has proved they hold the number
        raise field_error("mobile", "该账户已停用，请携身份证到服务中心处理。", code="account_inactive")
    with transaction.atomic():
        citizen.set_password(password)
        citizen.save(update_fields=["password", "password_changed_at"])
        audit_record(action="portal.citizen.password_reset", obj=citizen, actor=citizen_actor(citizen))
    ratelimit.clear(f"login-fail:{citizen.mobile_digest}")
    return citizen


# --- linking a window case to the account (proof of possession) ---------------------------------------


def _link_limits(citizen: Citizen, number: str) -> tuple[str, str, int]:
    window = conf.get("PORTAL_LINK_WINDOW")
    by_account, by_case = f"link-fail:{citizen.pk}", f"link-fail-case:{number}"
    for key in (by_account, by_case):
        ratelimit.require_below(
            key, limit=conf.get("PORTAL_LINK_FAILURES"), window=window, message="关联办件失败次数过多，"
        )
    return by_account, by_case, window


def _link_failed(
    keys: tuple[str, str, int], citizen: Citizen, number: str, method: str, error: ServiceError
) -> ServiceError:
    by_account, by_case, window = keys
    failures = max(ratelimit.hit(by_account, window=window), ratelimit.hit(by_case, window=window))
    audit_record(
        action="portal.case_link.refused",
        actor=citizen_actor(citizen),
        object_type="cases.case",
        object_id="",
        after={"number": number[:50], "method": method, "reason": error.code},
    )
    left = conf.get("PORTAL_LINK_FAILURES") - failures
    hint = (
        f"再失败{left}次将暂停关联{ratelimit.wait_text(window)}。"
        if left > 0
        else f"已暂停关联，请{ratelimit.wait_text(window)}后再试。"
    )
    first = next(iter(error.fields), None)
    if first:
        return field_error(first, error.fields[first] + hint, code=error.code)
    return ServiceError(error.message + hint, code=error.code)


def _clean_number(number: str) -> str:
    number = (number or "").strip().upper()[:50]
    if not number:
        raise field_error("number", "请填写办件编号（见受理通知书或短信）。")
    return number


def _link_once(model: Any, action: str, citizen: Citizen, method: str, **subject: Any) -> Any:
    """A case (or 一件事办件) joins the account once; the first time is audited."""
    with transaction.atomic():
        link, created = model.objects.get_or_create(citizen=citizen, **subject, defaults={"method": method})
        if created:
            audit_record(
                action=action,
                obj=link,
                actor=citizen_actor(citizen),
                after={**{k: v.number for k, v in subject.items()}, "method": method},
            )
    return link


def _link(citizen: Citizen, case: Case, method: str) -> CaseLink:
    return _link_once(CaseLink, "portal.case_link.create", citizen, method, case=case)  # type: ignore[no-any-return]


def _held_by_password(citizen: Citizen, number: str, password: str, find: Any) -> Any:
    """The case (or 一件事办件) `find(number)` names, if `password` is its query password; wrong guesses count
    per account and per number (the same limits for both)."""
    number = _clean_number(number)
    keys = _link_limits(citizen, number)
    held = find(number)
    given = (password or "").strip().upper()
    if (
        held is None
        or not given
        or not secrets.compare_digest(held.query_password.upper().encode(), given.encode())
    ):
        raise _link_failed(
            keys,
            citizen,
            number,
            LinkMethod.PASSWORD,
            field_error("password", "办件编号或查询密码不正确。", code="wrong_password"),
        )
    return held


def case_link_by_password(*, citizen: Citizen, number: str, password: str) -> CaseLink:
    """Link a case by its number and query password (from the 受理通知书 or the SMS). Wrong guesses count per
    account and per case number."""
    case = _held_by_password(citizen, number, password, case_by_number)
    return _link(citizen, case, LinkMethod.PASSWORD)


def thing_link(*, citizen: Citizen, thing_case: ThingCase, method: str) -> ThingLink:
    """The 一件事办件 joins the account's 我的办件 (with its members' cases)."""
    return _link_once(ThingLink, "portal.thing_link.create", citizen, method, thing_case=thing_case)  # type: ignore[no-any-return]


def thing_link_by_password(*, citizen: Citizen, number: str, password: str) -> ThingLink:
    """Link a 一件事办件 by its parent number and query password (MODE-1): the parent and every member then
    show in 我的办件. The same limits on wrong guesses as a case's."""
    parent = _held_by_password(
        citizen, number, password, lambda n: ThingCase.objects.filter(number=n).first()
    )
    return thing_link(citizen=citizen, thing_case=parent, method=LinkMethod.PASSWORD)


def _link_challenge(citizen: Citizen, case: Case) -> str:
    """A code for linking is good only for this account and this case."""
    return lookup_digest(f"case-link:{citizen.pk}:{case.pk}")


def case_link_code_send(*, citizen: Citizen, number: str, ip: str = "") -> str:
    """Send a code to the mobile recorded on the case (the applicant's); returns it masked for the page. The
    number limits of SMS codes apply to that phone, plus a cap per account."""
    number = _clean_number(number)
    keys = _link_limits(citizen, number)
    case = case_by_number(number)
    if case is None:
        raise _link_failed(
            keys,
            citizen,
            number,
            LinkMethod.SMS,
            field_error("number", "未找到该办件编号，请核对受理通知书上的编号。", code="unknown_case"),
        )
    try:
        phone = normalize_mobile(case.applicant_phone or "")
    except ValidationError:
        raise field_error(
            "number", "该办件登记的联系电话不能接收短信，请使用查询密码关联。", code="no_mobile"
        ) from None
    ratelimit.consume(
        f"link-codes:{citizen.pk}",
        limit=conf.get("PORTAL_LINK_CODES_PER_HOUR"),
        window=3600,
        message="获取关联验证码次数过多，",
    )
    _code_limits(lookup_digest(phone), ip)
    _new_challenge(
        mobile=phone,
        challenge_digest=_link_challenge(citizen, case),
        purpose=SmsPurpose.LINK,
        related=case,
        text=f"【启东政务服务】网上办事账户（{citizen.mobile_masked}）正在关联您的办件{case.number}，"
        "验证码为{code}，{minutes}分钟内有效。如非本人或家人操作，请勿告诉他人。",
    )
    return mask_mobile(phone)


def case_link_by_sms(*, citizen: Citizen, number: str, code: str) -> CaseLink:
    """Link a case with the code sent to the phone on the case (`case_link_code_send`)."""
    number = _clean_number(number)
    keys = _link_limits(citizen, number)
    case = case_by_number(number)
    if case is None:
        raise _link_failed(
            keys,
            citizen,
            number,
            LinkMethod.SMS,
            field_error("number", "未找到该办件编号，请核对受理通知书上的编号。", code="unknown_case"),
        )
    try:
        _check_challenge(_link_challenge(citizen, case), SmsPurpose.LINK, code)
    except ServiceError as exc:
        raise _link_failed(keys, citizen, number, LinkMethod.SMS, exc) from None
    return _link(citizen, case, LinkMethod.SMS)


# --- online application (NET-1) ------------------------------------------------------------------------


def form_token() -> str:
    """A one-time token rendered into an application or 补正 form (idempotency of its submit)."""
    return secrets.token_urlsafe(24)


def _clean_token(token: str) -> str:
    token = (token or "").strip()
    if not 16 <= len(token) <= 64 or not all(c.isalnum() or c in "-_" for c in token):
        raise ServiceError("表单已失效，请刷新页面后重新提交。", code="bad_token")
    return token


@dataclass
class MaterialInput:
    """What the applicant gives for one material: checked files and/or the 告知承诺 choice."""

    files: list[CleanFile]
    commitment: bool = False


@dataclass
class Submitted:
    application: OnlineApplication
    created: bool  # False: the same form was submitted before (double click, reload)


def thing_application_submit(
    *,
    citizen: Citizen,
    code: str,
    answers: dict[str, bool],
    address: str,
    centre_id: Any,
    channel: str,
    scans: dict[str, list[CleanFile]],
) -> ThingCase:
    """Apply online for a 一件事 (MODE-1, NET-1): one form, one number; each uploaded file of the one set of
    materials (checked by `uploads.clean_upload`) serves every member asking for that material, stored
    encrypted like a case's. The parent joins the account's 我的办件. Nothing half-written on any error."""
    if not citizen.has_identity:
        raise Forbidden("请先填写实名信息，再办理网上申请。")
    applicant = _applicant(citizen, address)
    with transaction.atomic():
        parent = thing_case_receive(
            actor=online_actor(applicant, channel),
            code=code,
            answers=answers,
            applicant=applicant,
            channel=channel,
            centre_id=centre_id,
            scans={
                key: [Scan(name=f.name, data=f.data) for f in files] for key, files in scans.items() if files
            },
        )
        thing_link(citizen=citizen, thing_case=parent, method=ThingLink.ONLINE)
    return parent


def citizen_applicant(citizen: Citizen, address: str) -> dict[str, str]:
    """The applicant of an online application: the account's real-name details (一件事 uses it too)."""
    return _applicant(citizen, address)


def _applicant(citizen: Citizen, address: str) -> dict[str, str]:
    if citizen.is_enterprise:
        return {
            "kind": ApplicantKind.ORGANISATION,
            "name": citizen.org_name,
            "id_type": IdType.USCC,
            "id_number": citizen.uscc,
            "phone": citizen.mobile,
            "address": address,
            "legal_representative": citizen.real_name,
        }
    return {
        "kind": ApplicantKind.PERSON,
        "name": citizen.real_name,
        "id_type": IdType.ID_CARD,
        "id_number": citizen.id_number,
        "phone": citizen.mobile,
        "address": address,
    }


def _existing(token: str, citizen: Citizen) -> OnlineApplication | None:
    found = OnlineApplication.objects.select_related("case").filter(token=token).first()
    if found is not None and found.citizen_id != citizen.pk:
        raise ServiceError("表单已失效，请刷新页面后重新提交。", code="bad_token")
    return found


def _material_states(catalogue: Iterable[Material], given: dict[int, MaterialInput]) -> list[MaterialState]:
    """The online form's materials for the completeness rule (`cases.materials`): uploaded files give a
    material, a 告知承诺 ticked here replaces it, and a 可容缺 one may be left for the centre to decide
    at 受理 (MODE-3)."""
    states = []
    for item in catalogue:
        supplied = given.get(item.pk)
        states.append(
            MaterialState(
                key=item.pk,
                name=item.name,
                required=item.required,
                given=bool(supplied and supplied.files),
                rongque=item.rongque,
                commitment=bool(supplied and supplied.commitment),
            )
        )
    return states


def application_submit(
    *,
    citizen: Citizen,
    token: str,
    matter: Matter,
    centre_id: Any,
    delivery: str,
    delivery_centre_id: Any = None,
    mail_address: str = "",
    address: str = "",
    materials: dict[int, MaterialInput],
    channel: str = Channel.ONLINE,
    ip: str = "",
) -> Submitted:
    """Apply online: the case arrives at the centre through the case service (收件, channel 网上申请), with the
    uploaded files attached to its materials and the 告知承诺 signed here recorded with time and account.
    The same form token twice gives the first application back; nothing half-written on any error."""
    token = _clean_token(token)
    if not citizen.has_identity:
        raise Forbidden("请先填写实名信息，再办理网上申请。")
    existing = _existing(token, citizen)
    if existing is not None:
        return Submitted(existing, created=False)
    version = matter.current_version
    if version is None or not online_offered(matter):
        raise field_error(
            "matter", f"事项「{matter.name}」暂不支持网上申请，请到服务中心窗口办理。", code="not_online"
        )
    if citizen.is_enterprise and persons_only(version):
        raise field_error("matter", persons_only_message(version.name), code="persons_only")
    catalogue = {m.pk: m for m in version.materials.all()}
    errors: dict[str, str] = {}
    for material_id, given in materials.items():
        item = catalogue.get(material_id)
        if item is None:
            raise field_error("materials", "材料不属于该事项的材料清单，请刷新页面后重新填写。")
        if given.commitment and not item.commitment:
            errors[f"material_{material_id}"] = f"材料「{item.name}」不可告知承诺，须上传证明材料。"
        if len(given.files) > MAX_FILES_PER_MATERIAL:
            errors[f"material_{material_id}"] = f"材料「{item.name}」最多上传{MAX_FILES_PER_MATERIAL}个文件。"
    for owed in missing_required(_material_states(catalogue.values(), materials)):
        errors[f"material_{owed.key}"] = (
            f"请上传「{owed.name}」" + ("，或选择告知承诺" if catalogue[owed.key].commitment else "") + "。"
        )
    centre = Centre.objects.filter(pk=_int(centre_id) or 0, is_active=True).first()
    if centre is None:
        errors["centre_id"] = "请选择办理的服务中心。"
    address = (address or "").strip()[:200]
    mail_address = (mail_address or "").strip()
    delivery_centre = None
    if delivery == DeliveryChoice.MAIL:
        if not version.supports_express:
            errors["delivery"] = "该事项不支持邮寄送达，请选择到窗口领取。"
        elif not 5 <= len(mail_address) <= 200:
            errors["mail_address"] = "请填写详细的邮寄地址（5至200个字）。"
    elif delivery == DeliveryChoice.WINDOW:
        delivery_centre = Centre.objects.filter(pk=_int(delivery_centre_id) or 0, is_active=True).first()
        if delivery_centre is None:
            errors["delivery_centre"] = "请选择领取结果的服务中心。"
    else:
        errors["delivery"] = "请选择结果领取方式。"
    if errors:
        raise ServiceError("申请信息不完整，请按提示修改。", fields=errors)
    assert centre is not None

    stored: list[str] = []
    try:
        with transaction.atomic():
            # The row goes in first: a concurrent second submit of the same form waits on its unique token.
            application = OnlineApplication.objects.create(
                token=token,
                citizen=citizen,
                matter=matter,
                centre=centre,
                delivery=delivery,
                delivery_centre=delivery_centre,
                mail_address=mail_address if delivery == DeliveryChoice.MAIL else "",
            )
            rows = [
                {
                    "material_id": pk,
                    "status": "received" if given.files else "missing",
                    "form": "electronic",
                    "originals": 0,
                    "copies": 0,
                    "note": "申请人已在网上签署告知承诺书" if given.commitment else "",
                }
                for pk, given in materials.items()
                if given.files or given.commitment
            ]
            applicant = _applicant(citizen, address)
            who = applicant_actor(applicant["kind"], applicant["name"], channel)
            case = case_receive(
                actor=who,
                matter_id=matter.pk,
                centre_id=centre.pk,
                channel=channel,
                applicant=applicant,
                materials=rows,
            )
            application.case = case
            application.save(update_fields=["case"])
            by_material = {cm.material_id: cm for cm in case.materials.all()}
            for pk, given in materials.items():
                for clean in given.files:
                    record = case_attach_file(
                        case=case,
                        actor=who,
                        upload=io.BytesIO(clean.data),
                        name=clean.name,
                        size=len(clean.data),
                        material_id=by_material[pk].pk,
                    )
                    stored.append(record.storage_name)
                    OnlineUpload.objects.create(
                        case_file=record,
                        purpose=UploadPurpose.APPLICATION,
                        application=application,
                        original_size=clean.original_size,
                    )
                if given.commitment:
                    text = catalogue[pk].commitment_text
                    OnlineCommitment.objects.create(
                        application=application,
                        material=catalogue[pk],
                        material_name=catalogue[pk].name,
                        text=text,
                        text_digest=sm3_hex(text),
                        citizen=citizen,
                        ip=ip[:45],
                    )
            audit_record(
                action="portal.application.submit",
                obj=application,
                actor=citizen_actor(citizen),
                after={
                    "case": case.number,
                    "matter": matter.code,
                    "centre": case.centre_id,
                    "files": len(stored),
                    "delivery": delivery,
                    "commitments": [catalogue[pk].name for pk, g in materials.items() if g.commitment],
                },
            )
            send_sms(
                phone=citizen.mobile,
                related=case,
                template="portal.application.submitted",
                text=f"【启东政务服务】您的「{version.name}」网上申请已提交，办件编号{case.number}，"
                f"查询密码{case.query_password}。受理进度请在“我的办件”查看。",
            )
    except IntegrityError:
        _remove(stored)
        existing = _existing(token, citizen)
        if existing is None:
            raise
        return Submitted(existing, created=False)
    except Exception:
        _remove(stored)
        raise
    return Submitted(application, created=True)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _remove(storage_names: list[str]) -> None:
    """Files written by a transaction that rolled back."""
    for name in storage_names:
        remove_stored(name)


def supplement_submit(
    *, citizen: Citizen, token: str, case: Case, files: dict[int, list[CleanFile]], note: str = ""
) -> Supplement:
    """补正 online: files for the materials the centre asked for (missing, wrong, or 容缺). They are attached
    to the case; the centre's front desk checks them and registers the materials as supplied."""
    token = _clean_token(token)
    earlier = Supplement.objects.filter(token=token).first()
    if earlier is not None:
        if earlier.citizen_id != citizen.pk or earlier.case_id != case.pk:
            raise ServiceError("表单已失效，请刷新页面后重新提交。", code="bad_token")
        return earlier
    wanted = {cm.pk: cm for cm in materials_to_supply(case)}
    if not wanted:
        raise Conflict(f"办件{case.number}当前（{case.get_status_display()}）没有需要补正的材料。")
    if not any(files.values()):
        raise field_error("files", "请至少为一项材料选择要上传的文件。")
    for pk, given in files.items():
        if given and pk not in wanted:
            raise field_error("files", "所选材料无需补正，请刷新页面后重新填写。")
        if len(given) > MAX_FILES_PER_MATERIAL:
            raise field_error(f"material_{pk}", f"每项材料最多上传{MAX_FILES_PER_MATERIAL}个文件。")
    stored: list[str] = []
    try:
        with transaction.atomic():
            supplement = Supplement.objects.create(
                token=token, citizen=citizen, case=case, note=(note or "")[:300]
            )
            who = applicant_actor(case.applicant_kind, case.applicant_name, case.channel)
            for pk, given in files.items():
                for clean in given:
                    record = case_attach_file(
                        case=case,
                        actor=who,
                        upload=io.BytesIO(clean.data),
                        name=clean.name,
                        size=len(clean.data),
                        material_id=pk,
                    )
                    stored.append(record.storage_name)
                    OnlineUpload.objects.create(
                        case_file=record,
                        purpose=UploadPurpose.SUPPLEMENT,
                        supplement=supplement,
                        original_size=clean.original_size,
                    )
            audit_record(
                action="portal.supplement.submit",
                obj=supplement,
                actor=citizen_actor(citizen),
                after={
                    "case": case.number,
                    "materials": [wanted[pk].name for pk, g in files.items() if g],
                    "files": len(stored),
                },
            )
    except IntegrityError:
        _remove(stored)
        earlier = Supplement.objects.filter(token=token, citizen=citizen, case=case).first()
        if earlier is None:
            raise
        return earlier
    except Exception:
        _remove(stored)
        raise
    return supplement


def persons_only(version: Any) -> bool:
    """The matter serves natural persons only (服务对象 自然人): an enterprise account cannot apply."""
    return version.service_object_codes == [ServiceObject.PERSON]


def persons_only_message(name: str) -> str:
    return (
        f"事项「{name}」只面向自然人（个人）办理，企业账户不能申请。"
        "请由申请人本人使用个人账户申请，或到服务中心窗口办理。"
    )


def materials_to_supply(case: Case) -> list[CaseMaterial]:
    """Materials the applicant still owes: those the centre marked missing or wrong while the case waits for
    补正 (before acceptance, or suspended for it), and 容缺 materials of an accepted case."""
    statuses: list[str] = []
    stopped_for_correction = (
        case.status == CaseStatus.SUSPENDED
        and case.suspensions.filter(ended_at__isnull=True, kind=SuspensionKind.CORRECTION).exists()
    )
    if case.status == CaseStatus.CORRECTION or stopped_for_correction:
        statuses += [MaterialStatus.MISSING, MaterialStatus.WRONG]
    if case.rongque_pending:
        statuses.append(MaterialStatus.RONGQUE)
    if not statuses:
        return []
    return list(case.materials.filter(status__in=statuses).order_by("order", "id"))


# --- appointments of an account (我的预约) ------------------------------------------------------------------


def appointment_book_for(*, citizen: Citizen, matter: Matter, centre_id: Any, slot_id: Any) -> Any:
    """Book a slot for a matter from its guide while signed in: name, phone and ID come from the account (no
    second entry) and the booking is the account's (我的预约). The queueing service checks the slot, the
    matter's queue, capacity and duplicates."""
    if not citizen.has_identity:
        raise Forbidden("请先填写实名信息，再预约办理。")
    errors = {}
    if not _int(centre_id):
        errors["centre_id"] = "请选择办理的服务中心。"
    if not _int(slot_id):
        errors["slot"] = "请选择预约时段。"
    if errors:
        raise ServiceError("请先选择服务中心和时段。", fields=errors)
    with transaction.atomic():
        booking = appointment_book(
            slot_id=_int(slot_id) or 0,
            matter_id=matter.pk,
            name=citizen.org_name if citizen.is_enterprise and citizen.org_name else citizen.real_name,
            phone=citizen.mobile,
            id_number="" if citizen.is_enterprise else citizen.id_number,
        )
        if booking.slot.centre_id != _int(centre_id):
            raise field_error("slot", "所选时段不属于该服务中心，请重新选择。")
        CitizenAppointment.objects.create(citizen=citizen, appointment=booking)
    return booking


def appointment_cancel_for(*, citizen: Citizen, code: str) -> Any:
    """The account cancels one of its own appointments (another account's code is not found)."""
    link = CitizenAppointment.objects.filter(citizen=citizen, appointment__code=(code or "").strip()).first()
    if link is None:
        raise NotFound("未找到该预约。")
    return appointment_cancel(code=link.appointment.code, phone=citizen.mobile)

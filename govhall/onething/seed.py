"""Three sample 一件事 built from the sample catalogue (marked as samples, MODE-1): the bureau replaces or
edits them; a bureau's changes are never overwritten (a code that exists is left alone)."""

from __future__ import annotations

from govhall.catalog.seed import TOWN

from .models import OneThing
from .services import CompositionInput, MemberInput, QuestionInput, thing_create, thing_publish

SAMPLE_NOTE = "（样例，以市行政审批局发布的正式“一件事”清单为准）"


def _code(seq: int) -> str:
    return next(spec.code for spec in TOWN if spec.seq == seq)


def samples() -> dict[str, CompositionInput]:
    return {
        "YJS-0001": CompositionInput(
            name="新生儿出生一件事",
            life_event="新生儿出生",
            summary="新生儿出生后，出生登记（落户）、医保参保、生育登记一次申请、一窗受理。" + SAMPLE_NOTE,
            promised_limit=0,
            questions=[
                QuestionInput(
                    "medical_insurance", "是否为新生儿办理城乡居民医保参保", "已随父母单位参保的选“否”"
                ),
                QuestionInput("birth_registration", "是否需要补办生育登记", "孕期已办理生育登记的选“否”"),
            ],
            members=[
                MemberInput(_code(2)),
                MemberInput(_code(17), after=(1,), condition_question="medical_insurance"),
                MemberInput(
                    _code(20),
                    condition_question="birth_registration",
                    same_as={"夫妻双方居民身份证": "父母双方居民身份证和户口簿", "结婚证": "父母结婚证"},
                ),
            ],
        ),
        "YJS-0002": CompositionInput(
            name="开办餐饮店一件事",
            life_event="开办餐饮店",
            summary="个体工商户开办小餐饮：营业执照、食品经营许可、定期定额核定、发票领用一次申请。"
            + SAMPLE_NOTE,
            promised_limit=10,
            questions=[QuestionInput("invoice", "是否需要领用发票")],
            members=[
                MemberInput(_code(27)),
                MemberInput(_code(30), after=(1,)),
                MemberInput(_code(32), after=(1,)),
                MemberInput(
                    _code(31),
                    after=(1,),
                    condition_question="invoice",
                    same_as={"经办人身份证件": "经营者居民身份证"},
                ),
            ],
        ),
        "YJS-0003": CompositionInput(
            name="困难群众救助一件事",
            life_event="困难群众救助",
            summary="低保、临时救助、残疾人两项补贴一次申请，民政、残联并联办理。" + SAMPLE_NOTE,
            promised_limit=20,
            questions=[QuestionInput("disability", "家庭中是否有持残疾人证的成员")],
            members=[
                MemberInput(_code(11)),
                MemberInput(_code(13)),
                MemberInput(_code(15), condition_question="disability"),
            ],
        ),
    }


def load_builtin() -> str:
    created = 0
    for code, data in samples().items():
        if OneThing.objects.filter(code=code).exists():
            continue
        thing = thing_create(actor=None, code=code, data=data, is_sample=True)
        thing_publish(actor=None, thing=thing, reason="内置样例")
        created += 1
    return f"一件事（样例）：新增 {created} 项"

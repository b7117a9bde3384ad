"""Every change to a case. Pages and the API call these and nothing else.

Each function is one transaction: it locks the case row, checks the state (refusing with a Chinese
message naming the current state), the actor's role, and the input; changes the rows; writes the
timeline (CaseEvent) and the audit log; and queues notifications and events for after the commit.
Callers look the case up with `govhall.cases.policy.access_case` first (visibility); the services check
what the actor may *do* to it.

One module per stage: `receive` (收件), `decide` (受理, 不予受理, 补正), `backoffice` (后台审批, 特别程序),
`finish` (办结), `deliver` (出件, 代办), `commitment` (告知承诺核查, 信用修复), `scans` (periodic work),
`deadlines` (provisional deadlines); their Chinese texts and notice payloads in `texts`, the helpers
they share in `_shared` and `steps`. Import from here: `from govhall.cases import services`.
"""

from govhall.cases.policy import RECEIVE_ROLES
from govhall.cases.services._shared import (
    DEADLINE_RECOMPUTE,
    DEADLINE_SCAN,
    REROUTING,
    RONGQUE_SCAN,
    ROUTING,
)
from govhall.cases.services.backoffice import (
    case_resubmit,
    case_special_end,
    case_special_start,
    case_step_pass,
    case_step_return,
)
from govhall.cases.services.commitment import case_commitment_check, credit_repair
from govhall.cases.services.deadlines import track_deadlines
from govhall.cases.services.decide import (
    case_accept,
    case_reject,
    case_request_correction,
    case_supply,
    has_bad_credit,
)
from govhall.cases.services.deliver import case_assign_agency, case_deliver
from govhall.cases.services.finish import case_closed, case_finish
from govhall.cases.services.inputs import CorrectionItem, MaterialTick
from govhall.cases.services.receive import case_attach_file, case_receive, case_update_materials
from govhall.cases.services.scans import case_steps_reroute, cases_scan_deadlines, cases_scan_rongque
from govhall.cases.services.steps import back_office_steps
from govhall.cases.services.texts import NOTICE_PREFIX

__all__ = [
    "DEADLINE_RECOMPUTE",
    "DEADLINE_SCAN",
    "NOTICE_PREFIX",
    "RECEIVE_ROLES",
    "REROUTING",
    "RONGQUE_SCAN",
    "ROUTING",
    "CorrectionItem",
    "MaterialTick",
    "back_office_steps",
    "case_accept",
    "case_assign_agency",
    "case_attach_file",
    "case_closed",
    "case_commitment_check",
    "case_deliver",
    "case_finish",
    "case_receive",
    "case_reject",
    "case_request_correction",
    "case_resubmit",
    "case_special_end",
    "case_special_start",
    "case_step_pass",
    "case_step_return",
    "case_steps_reroute",
    "case_supply",
    "case_update_materials",
    "cases_scan_deadlines",
    "cases_scan_rongque",
    "credit_repair",
    "has_bad_credit",
    "track_deadlines",
]

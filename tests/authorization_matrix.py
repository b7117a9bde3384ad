"""The authorisation matrix: who gets what answer from every page and every API operation (docs/security.md).

`MATRIX` below is the expected answer of every endpoint for every role, one row per endpoint. The test
(tests/test_authorization_matrix.py) walks every URL pattern (django.urls.get_resolver()) and every OpenAPI
operation of the ninja API, fails naming any endpoint without a row, and asks each endpoint as each role.
`python -m tests.authorization_matrix --markdown` prints the table that docs/security.md carries; a test
checks the two are equal, so the document cannot drift from the rules the suite enforces.

Columns: the nine staff roles (govhall.accounts.models.Role), a citizen (portal account, person), an
enterprise (portal account, enterprise) and anonymous. Cells:

- a status code (200, 302, 400, 401, 403, 404, 405, 409, 422): exactly that answer;
- ``ok``: an unsafe operation the role may perform, sent with an empty body: anything but 401/403/5xx
  (typically 400/404/409/422: the request is refused for its content, not for who sent it);
- ``-``: not asked (reserved; no row uses it today).

The world the endpoints are asked about: the 吕四港镇 persona hall (tests/personas.py) with its villages, the
民政 matter and AB posts of tests/cases/conftest.py, one window case received by the town's front desk
(URL parameters `case_id`, `number`), and ids that exist nowhere (0, "x"; the API refuses id 0 as invalid, 422, once the caller is authenticated) for the other objects: a role
that may reach such an endpoint then gets 404, one that may not is refused before the lookup (302 to the
login page, 401, 403) or gets the same 404 (missing and forbidden look the same).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

ROLES = [
    "bureau_admin",
    "director",
    "front_desk",
    "back_office",
    "guide",
    "agent",
    "village_clerk",
    "dept_liaison",
    "inspector",
    "citizen",
    "enterprise",
    "anonymous",
]
ROLE_LABELS = {
    "bureau_admin": "局管理员",
    "director": "中心主任",
    "front_desk": "前台受理",
    "back_office": "后台审批",
    "guide": "导服",
    "agent": "代办",
    "village_clerk": "村便民服务员",
    "dept_liaison": "部门联络员",
    "inspector": "考核员",
    "citizen": "市民",
    "enterprise": "企业",
    "anonymous": "匿名",
}
STAFF_ROLES = ROLES[:9]

# Rows the secure rule still fails on main: the fix lives on another branch of issue 13; the row is
# asserted as xfail(strict=True), so merging the fix flips it to a pass and forces removing the mark.
PENDING: dict[str, tuple[set[str], str]] = {}

# One row per endpoint: "METHOD path" then the 12 cells in ROLES order.
#   bureau director front back guide agent village dept inspector | citizen enterprise anonymous
MATRIX_TEXT = """
GET /                                                                  200 200 200 200 200 200 200 200 200 | 302 302 302
GET /admin/*                                                           302 302 302 302 302 302 302 302 302 | 302 302 302
GET /api/govstack/registration/                                        404 404 404 404 404 404 404 404 404 | 404 404 404
GET /api/govstack/registration/applications                            400 400 400 400 400 400 400 400 400 | 401 401 401
GET /api/govstack/registration/applications/{fileId}                   400 400 400 400 400 400 400 400 400 | 401 401 401
GET /api/govstack/registration/data/statistics/1.0                     400 400 400 400 400 400 400 400 400 | 401 401 401
GET /api/govstack/registration/docs                                    200 200 200 200 200 200 200 200 200 | 200 200 200
GET /api/govstack/registration/eForms/{eFormId}                        404 404 404 404 404 404 404 404 404 | 401 401 401
GET /api/govstack/registration/openapi.json                            200 200 200 200 200 200 200 200 200 | 200 200 200
GET /api/govstack/registration/services                                200 200 200 200 200 200 200 200 200 | 401 401 401
GET /api/govstack/registration/services/{serviceId}                    404 404 404 404 404 404 404 404 404 | 401 401 401
GET /api/govstack/registration/services/{serviceId}/eForms             404 404 404 404 404 404 404 404 404 | 401 401 401
GET /api/govstack/registration/tasks                                   200 200 200 200 200 200 200 200 200 | 401 401 401
GET /api/govstack/registration/tasks/{taskId}                          404 404 404 404 404 404 404 404 404 | 401 401 401
GET /api/govstack/registration/{rest}                                  404 404 404 404 404 404 404 404 404 | 404 404 404
GET /api/v1/                                                           404 404 404 404 404 404 404 404 404 | 404 404 404
GET /api/v1/cases/                                                     200 200 200 200 200 200 200 200 200 | 401 401 401
GET /api/v1/cases/agency                                               200 200 200 200 200 200 200 200 200 | 401 401 401
GET /api/v1/cases/awaiting                                             200 200 200 200 200 200 200 200 200 | 401 401 401
GET /api/v1/cases/supervision                                          200 200 200 200 200 200 200 200 200 | 401 401 401
GET /api/v1/cases/tasks                                                200 200 200 200 200 200 200 200 200 | 401 401 401
GET /api/v1/cases/track                                                422 422 422 422 422 422 422 422 422 | 422 422 422
GET /api/v1/cases/{case_id}                                            200 200 200 200 200 200 404 200 200 | 401 401 401
GET /api/v1/cases/{case_id}/export                                     403 200 200 200 403 200 404 403 403 | 401 401 401
GET /api/v1/cases/{case_id}/files/{file_id}                            422 422 422 422 422 422 422 422 422 | 401 401 401
GET /api/v1/cases/{case_id}/notices/{notice_id}/{fmt}                  422 422 422 422 422 422 422 422 422 | 401 401 401
GET /api/v1/catalog/centres/{centre_id}/matters                        200 200 200 200 200 200 404 200 200 | 401 401 401
GET /api/v1/catalog/guides/{code}                                      200 200 200 200 200 200 200 200 200 | 200 200 200
GET /api/v1/catalog/matters                                            200 200 200 200 200 200 200 200 200 | 401 401 401
GET /api/v1/catalog/matters/{code}                                     200 200 200 200 200 200 200 200 200 | 401 401 401
GET /api/v1/catalog/matters/{code}/materials                           200 200 200 200 200 200 200 200 200 | 401 401 401
GET /api/v1/catalog/matters/{code}/versions                            200 200 200 200 200 200 200 200 200 | 401 401 401
GET /api/v1/catalog/matters/{code}/versions/{number}                   200 200 200 200 200 200 200 200 200 | 401 401 401
GET /api/v1/catalog/notification-sheets/{serial}                       404 404 404 404 404 404 404 404 404 | 401 401 401
GET /api/v1/catalog/notification-sheets/{serial}/{fmt}                 404 404 404 404 404 404 404 404 404 | 401 401 401
GET /api/v1/docs                                                       200 200 200 200 200 200 200 200 200 | 200 200 200
GET /api/v1/exchange/notifications                                     200 403 403 403 403 403 403 403 200 | 401 401 401
GET /api/v1/exchange/notifications/{notification_id}                   422 422 422 422 422 422 422 422 422 | 401 401 401
GET /api/v1/exchange/sync                                              200 403 403 403 403 403 403 403 200 | 401 401 401
GET /api/v1/exchange/sync/{item_id}                                    422 422 422 422 422 422 422 422 422 | 401 401 401
GET /api/v1/hotline/orders                                             200 200 200 200 200 200 200 200 200 | 401 401 401
GET /api/v1/hotline/orders/{order_id}                                  422 422 422 422 422 422 422 422 422 | 401 401 401
GET /api/v1/hotline/orders/{order_id}/steps                            422 422 422 422 422 422 422 422 422 | 401 401 401
GET /api/v1/hotline/settings                                           200 200 200 200 200 200 200 200 200 | 401 401 401
GET /api/v1/onething/things                                            200 200 200 200 200 200 200 200 200 | 200 200 200
GET /api/v1/onething/things/{code}/guide                               404 404 404 404 404 404 404 404 404 | 404 404 404
GET /api/v1/onething/cases/track                                       422 422 422 422 422 422 422 422 422 | 422 422 422
GET /api/v1/onething/figures                                           200 200 403 403 403 403 403 403 200 | 401 401 401
GET /api/v1/openapi.json                                               200 200 200 200 200 200 200 200 200 | 200 200 200
GET /api/v1/orgs/centres                                               200 200 200 200 200 200 200 200 200 | 401 401 401
GET /api/v1/orgs/centres/{centre_id}                                   200 200 200 200 200 200 404 200 200 | 401 401 401
GET /api/v1/orgs/centres/{centre_id}/posts                             200 200 200 200 200 200 404 200 200 | 401 401 401
GET /api/v1/orgs/centres/{centre_id}/windows                           200 200 200 200 200 200 404 200 200 | 401 401 401
GET /api/v1/queueing/centres/{centre_id}/display                       200 200 200 200 200 200 200 200 200 | 200 200 200
GET /api/v1/queueing/centres/{centre_id}/figures                       200 200 403 403 403 403 404 403 200 | 401 401 401
GET /api/v1/queueing/centres/{centre_id}/options                       200 200 200 200 200 200 200 200 200 | 200 200 200
GET /api/v1/queueing/centres/{centre_id}/slots                         200 200 200 200 200 200 200 200 200 | 200 200 200
GET /api/v1/queueing/centres/{centre_id}/tickets                       403 200 200 200 200 200 404 403 403 | 401 401 401
GET /api/v1/queueing/centres/{centre_id}/windows                       403 200 200 200 200 200 404 403 403 | 401 401 401
GET /api/v1/queueing/ping                                              200 200 200 200 200 200 200 200 200 | 200 200 200
GET /api/v1/queueing/public/tickets/{token}                            404 404 404 404 404 404 404 404 404 | 404 404 404
GET /api/v1/queueing/tickets/{ticket_id}                               422 422 422 422 422 422 422 422 422 | 401 401 401
GET /api/v1/reports/city                                               200 200 403 403 403 403 403 403 200 | 401 401 401
GET /api/v1/reports/department/cases                                   403 403 403 403 403 403 403 200 403 | 401 401 401
GET /api/v1/reports/indicators                                         200 200 403 403 403 403 403 403 200 | 401 401 401
GET /api/v1/reviews/appeals                                            200 200 200 200 200 200 200 200 200 | 401 401 401
GET /api/v1/reviews/figures                                            200 200 200 200 200 200 200 200 200 | 401 401 401
GET /api/v1/reviews/flags                                              200 200 200 200 200 200 200 200 200 | 401 401 401
GET /api/v1/reviews/pads                                               200 200 200 200 200 200 200 200 200 | 401 401 401
GET /api/v1/reviews/public/case/{token}                                404 404 404 404 404 404 404 404 404 | 404 404 404
GET /api/v1/reviews/public/centres/{centre_id}/summary                 200 200 200 200 200 200 200 200 200 | 200 200 200
GET /api/v1/reviews/public/pad/{token}/state                           404 404 404 404 404 404 404 404 404 | 404 404 404
GET /api/v1/reviews/rankings                                           200 403 403 403 403 403 403 403 200 | 401 401 401
GET /api/v1/reviews/ratings                                            200 200 200 200 200 200 200 200 200 | 401 401 401
GET /api/v1/reviews/ratings/{rating_id}                                422 422 422 422 422 422 422 422 422 | 401 401 401
GET /api/v1/reviews/settings                                           200 200 200 200 200 200 200 200 200 | 401 401 401
GET /api/v1/reviews/work-orders                                        200 200 200 200 200 200 200 200 200 | 401 401 401
GET /api/v1/reviews/work-orders/{order_id}                             422 422 422 422 422 422 422 422 422 | 401 401 401
GET /api/v1/staffing/assessment/results                                422 422 422 422 422 422 422 422 422 | 401 401 401
GET /api/v1/staffing/assessment/results/{result_id}                    422 422 422 422 422 422 422 422 422 | 401 401 401
GET /api/v1/staffing/attendance                                        200 200 200 200 200 200 200 200 200 | 401 401 401
GET /api/v1/staffing/enquiries                                         200 200 200 200 200 200 200 200 200 | 401 401 401
GET /api/v1/staffing/enquiries/pending                                 200 200 200 200 200 200 200 200 200 | 401 401 401
GET /api/v1/staffing/enquiries/{enquiry_id}                            422 422 422 422 422 422 422 422 422 | 401 401 401
GET /api/v1/staffing/leaves                                            200 200 200 200 200 200 200 200 200 | 401 401 401
GET /api/v1/staffing/posts/{post_id}/handler                           200 200 200 200 200 200 404 200 200 | 401 401 401
GET /api/v1/staffing/roster                                            404 200 200 200 200 200 200 404 404 | 401 401 401
GET /api/v1/standards/assessments                                      200 200 200 200 200 200 200 200 200 | 401 401 401
GET /api/v1/standards/assessments/{assessment_id}                      422 422 422 422 422 422 422 422 422 | 401 401 401
GET /api/v1/standards/overview                                         200 404 404 404 404 404 404 404 200 | 401 401 401
GET /api/v1/standards/rulesets                                         200 404 404 404 404 404 404 404 200 | 401 401 401
GET /api/v1/standards/rulesets/{rule_set_id}                           422 422 422 422 422 422 422 422 422 | 401 401 401
GET /api/v1/standards/surveys/{survey_id}                              422 422 422 422 422 422 422 422 422 | 401 401 401
GET /api/v1/{rest}                                                     404 404 404 404 404 404 404 404 404 | 404 404 404
GET /cases/                                                            200 200 200 200 200 200 200 200 200 | 302 302 302
GET /cases/list/                                                       200 200 200 200 200 200 200 200 200 | 302 302 302
GET /cases/new/                                                        404 200 200 404 404 200 200 404 404 | 302 302 302
GET /cases/supervision/                                                200 200 200 200 200 200 200 200 200 | 302 302 302
GET /cases/track/                                                      200 200 200 200 200 200 200 200 200 | 200 200 200
GET /cases/{case_id}/                                                  200 200 200 200 200 200 404 200 200 | 302 302 302
GET /cases/{case_id}/act/{action}/                                     405 405 405 405 405 405 405 405 405 | 302 302 302
GET /cases/{case_id}/files/{file_id}/                                  404 404 404 404 404 404 404 404 404 | 302 302 302
GET /cases/{case_id}/reveal/                                           405 405 405 405 405 405 405 405 405 | 302 302 302
GET /cases/{case_id}/notices/{notice_id}.{fmt}                         404 404 404 404 404 404 404 404 404 | 302 302 302
GET /cases/{case_id}/upload/                                           405 405 405 405 405 405 405 405 405 | 302 302 302
GET /catalog/                                                          200 200 200 200 200 200 200 200 200 | 302 302 302
GET /catalog/centres/                                                  200 200 200 200 302 200 302 200 200 | 302 302 302
GET /catalog/centres/{pk}/                                             200 200 200 200 200 200 404 200 200 | 302 302 302
GET /catalog/coverage/                                                 200 200 200 200 200 200 200 200 200 | 302 302 302
GET /catalog/coverage/fill/                                            405 405 405 405 405 405 405 405 405 | 302 302 302
GET /catalog/export.xlsx                                               200 200 200 200 200 200 200 200 200 | 302 302 302
GET /catalog/guide/{code}/                                             200 200 200 200 200 200 200 200 200 | 200 200 200
GET /catalog/guide/{code}/materials/{material_id}/{kind}/              404 404 404 404 404 404 404 404 404 | 404 404 404
GET /catalog/guide/{code}/{fmt}/                                       200 200 200 200 200 200 200 200 200 | 200 200 200
GET /catalog/import/                                                   200 403 403 403 403 403 403 403 403 | 302 302 302
GET /catalog/m/{code}/                                                 200 200 200 200 200 200 200 200 200 | 302 302 302
GET /catalog/m/{code}/draft/                                           302 302 302 302 302 302 302 302 302 | 302 302 302
GET /catalog/m/{code}/edit/                                            200 403 403 403 403 403 403 403 403 | 302 302 302
GET /catalog/m/{code}/history/                                         200 200 200 200 200 200 200 200 200 | 302 302 302
GET /catalog/m/{code}/keywords/                                        200 403 403 403 403 403 403 403 403 | 302 302 302
GET /catalog/m/{code}/sheet/                                           403 200 200 200 200 200 200 403 403 | 302 302 302
GET /catalog/m/{code}/v/{number}/                                      200 200 200 200 200 200 200 200 200 | 302 302 302
GET /catalog/m/{code}/{action}/                                        405 405 405 405 405 405 405 405 405 | 302 302 302
GET /catalog/new/                                                      200 403 403 403 403 403 403 403 403 | 302 302 302
GET /catalog/sheets/                                                   200 200 200 200 200 200 200 200 200 | 302 302 302
GET /catalog/sheets/{serial}/                                          404 404 404 404 404 404 404 404 404 | 302 302 302
GET /catalog/sheets/{serial}/{fmt}/                                    404 404 404 404 404 404 404 404 404 | 302 302 302
GET /exchange/sync/                                                    200 403 403 403 403 403 403 403 200 | 302 302 302
GET /exchange/sync/{pk}/                                               404 404 404 404 404 404 404 404 404 | 302 302 302
GET /exchange/sync/{pk}/retry/                                         405 405 405 405 405 405 405 405 405 | 405 405 405
GET /healthz                                                           200 200 200 200 200 200 200 200 200 | 200 200 200
GET /hotline/                                                          200 200 200 200 200 200 200 403 200 | 302 302 302
GET /hotline/settings/                                                 200 403 403 403 403 403 403 403 403 | 302 302 302
GET /hotline/{order_id}/                                               404 404 404 404 404 404 404 404 404 | 302 302 302
GET /login/                                                            302 302 302 302 302 302 302 302 302 | 200 200 200
GET /logout/                                                           405 405 405 405 405 405 405 405 405 | 405 405 405
GET /me/tokens/                                                        200 200 200 200 200 200 200 200 200 | 302 302 302
GET /metrics                                                           404 404 404 404 404 404 404 404 404 | 404 404 404  # no GOVHALL_METRICS_TOKEN/ALLOW in the test world: the URL does not exist
GET /one-thing/                                                        200 200 200 200 200 200 200 200 200 | 200 200 200
GET /one-thing/manage/                                                 200 403 403 403 403 403 403 403 403 | 302 302 302
GET /one-thing/manage/new/                                             200 403 403 403 403 403 403 403 403 | 302 302 302
GET /one-thing/manage/{code}/edit/                                     404 403 403 403 403 403 403 403 403 | 302 302 302
GET /one-thing/manage/{code}/{action}/                                 405 405 405 405 405 405 405 405 405 | 302 302 302
GET /one-thing/{code}/                                                 404 404 404 404 404 404 404 404 404 | 404 404 404
GET /one-thing/{code}/{doc}.{fmt}                                      404 404 404 404 404 404 404 404 404 | 404 404 404
GET /one-thing/cases/                                                  200 200 200 200 200 200 200 200 200 | 302 302 302
GET /one-thing/cases/{number}/                                         404 404 404 404 404 404 404 404 404 | 302 302 302
GET /one-thing/cases/{number}/act/{action}/                            405 405 405 405 405 405 405 405 405 | 302 302 302
GET /one-thing/cases/{number}/result.{fmt}                             404 404 404 404 404 404 404 404 404 | 302 302 302
GET /one-thing/figures/                                                200 200 403 403 403 403 403 403 200 | 302 302 302
GET /one-thing/{code}/receive/                                         403 404 404 403 403 404 404 403 403 | 302 302 302
GET /orgs/centres/                                                     200 200 200 200 200 200 200 200 200 | 302 302 302
GET /orgs/centres/{centre_id}/                                         200 200 200 200 200 200 404 200 200 | 302 302 302
GET /orgs/contacts/                                                    200 403 403 403 403 403 403 403 403 | 302 302 302
GET /portal/                                                           200 200 200 200 200 200 200 200 200 | 200 200 200
GET /portal/account/                                                   302 302 302 302 302 302 302 302 302 | 200 200 302
GET /portal/account/login/                                             200 200 200 200 200 200 200 200 200 | 302 302 200
GET /portal/account/notice/dismiss/                                    302 302 302 302 302 302 302 302 302 | 405 405 302
GET /portal/account/logout/                                            405 405 405 405 405 405 405 405 405 | 405 405 405
GET /portal/account/register/                                          200 200 200 200 200 200 200 200 200 | 302 302 200
GET /portal/account/reset/                                             200 200 200 200 200 200 200 200 200 | 200 200 200
GET /portal/account/verify/                                            302 302 302 302 302 302 302 302 302 | 200 200 302
GET /portal/apply/{code}/                                              302 302 302 302 302 302 302 302 302 | 302 302 302
GET /portal/centres/                                                   200 200 200 200 200 200 200 200 200 | 200 200 200
GET /portal/centres/{centre_id}/                                       200 200 200 200 200 200 200 200 200 | 200 200 200
GET /portal/disclosure/                                                200 200 200 200 200 200 200 200 200 | 200 200 200
GET /portal/disclosure/centres/{centre_id}/                            200 200 200 200 200 200 200 200 200 | 200 200 200
GET /portal/disclosure/policies/{policy_id}/                           404 404 404 404 404 404 404 404 404 | 404 404 404
GET /portal/display/                                                   405 405 405 405 405 405 405 405 405 | 405 405 405
GET /portal/guide/{code}/                                              200 200 200 200 200 200 200 200 200 | 200 200 200
GET /portal/guide/{code}/book/                                         302 302 302 302 302 302 302 302 302 | 302 302 302
GET /portal/guide/{code}/notice-sheet.pdf                              200 200 200 200 200 200 200 200 200 | 200 200 200
GET /portal/guide/{code}/waiting/                                      200 200 200 200 200 200 200 200 200 | 200 200 200
GET /portal/kiosk/{centre_code}/                                       200 200 200 200 200 200 200 200 200 | 200 200 200
GET /portal/kiosk/{centre_code}/checkin/                               200 200 200 200 200 200 200 200 200 | 200 200 200
GET /portal/kiosk/{centre_code}/display/                               405 405 405 405 405 405 405 405 405 | 405 405 405
GET /portal/kiosk/{centre_code}/guides/                                200 200 200 200 200 200 200 200 200 | 200 200 200
GET /portal/kiosk/{centre_code}/guides/{code}/                         200 200 200 200 200 200 200 200 200 | 200 200 200
GET /portal/kiosk/{centre_code}/ticket/                                200 200 200 200 200 200 200 200 200 | 200 200 200
GET /portal/kiosk/{centre_code}/ticket/{token}/                        404 404 404 404 404 404 404 404 404 | 404 404 404
GET /portal/kiosk/{centre_code}/track/                                 200 200 200 200 200 200 200 200 200 | 200 200 200
GET /portal/kiosk/{centre_id}/                                         301 301 301 301 301 301 301 301 301 | 301 301 301
GET /portal/kiosk/{centre_id}/{rest}                                   404 404 404 404 404 404 404 404 404 | 404 404 404
GET /portal/matters/                                                   200 200 200 200 200 200 200 200 200 | 200 200 200
GET /portal/my/appointments/                                           302 302 302 302 302 302 302 302 302 | 200 200 302
GET /portal/my/appointments/{code}/cancel/                             302 302 302 302 302 302 302 302 302 | 405 405 302
GET /portal/my/cases/                                                  302 302 302 302 302 302 302 302 302 | 200 200 302
GET /portal/my/cases/link/                                             302 302 302 302 302 302 302 302 302 | 200 200 302
GET /portal/my/cases/{number}/                                         302 302 302 302 302 302 302 302 302 | 404 404 302
GET /portal/my/cases/{number}/notices/{notice_id}.{fmt}                302 302 302 302 302 302 302 302 302 | 404 404 302
GET /portal/my/cases/{number}/supplement/                              302 302 302 302 302 302 302 302 302 | 405 405 302
GET /portal/themes/                                                    200 200 200 200 200 200 200 200 200 | 200 200 200
GET /portal/themes/{slug}/                                             404 404 404 404 404 404 404 404 404 | 404 404 404
GET /portal/track/                                                     200 200 200 200 200 200 200 200 200 | 200 200 200
GET /portal/one-thing/{code}/apply/                                    302 302 302 302 302 302 302 302 302 | 302 302 302
GET /queueing/                                                         200 302 302 302 302 302 302 200 200 | 302 302 302
GET /queueing/book/{centre_id}/                                        200 200 200 200 200 200 200 200 200 | 200 200 200
GET /queueing/c/{centre_id}/desk/                                      403 200 200 200 200 200 404 403 403 | 302 302 302
GET /queueing/c/{centre_id}/desk/check-in/                             405 405 405 405 405 405 405 405 405 | 302 302 302
GET /queueing/c/{centre_id}/desk/queue/                                403 200 200 200 200 200 404 403 403 | 302 302 302
GET /queueing/c/{centre_id}/desk/tickets/{ticket_id}/{action}/         405 405 405 405 405 405 405 405 405 | 302 302 302
GET /queueing/c/{centre_id}/figures/                                   200 200 403 403 403 403 404 403 200 | 302 302 302
GET /queueing/c/{centre_id}/slots/                                     200 200 200 200 200 200 404 200 200 | 302 302 302
GET /queueing/c/{centre_id}/windows/                                   403 200 200 200 200 200 404 403 403 | 302 302 302
GET /queueing/kiosk/{centre_id}/                                       301 301 301 301 301 301 301 301 301 | 301 301 301
GET /queueing/phone/{centre_id}/                                       200 200 200 200 200 200 200 200 200 | 200 200 200
GET /queueing/screen/{centre_id}/                                      200 200 200 200 200 200 200 200 200 | 200 200 200
GET /queueing/screen/{centre_id}/events/                               200 200 200 200 200 200 200 200 200 | 200 200 200
GET /queueing/screen/{centre_id}/window/{number}/                      404 404 404 404 404 404 404 404 404 | 404 404 404
GET /queueing/t/{token}/                                               404 404 404 404 404 404 404 404 404 | 404 404 404
GET /queueing/t/{token}/cancel/                                        405 405 405 405 405 405 405 405 405 | 405 405 405
GET /queueing/t/{token}/print/                                         404 404 404 404 404 404 404 404 404 | 404 404 404
GET /queueing/w/{window_id}/                                           403 200 200 200 200 200 404 403 403 | 302 302 302
GET /queueing/w/{window_id}/{action}/                                  405 405 405 405 405 405 405 405 405 | 302 302 302
GET /readyz                                                            503 503 503 503 503 503 503 503 503 | 503 503 503  # the same for everybody; 503: the test world's public URL is loopback
GET /reports/                                                          200 200 403 403 403 403 403 403 200 | 302 302 302
GET /reports/cases/                                                    404 404 403 403 403 403 403 403 404 | 302 302 302
GET /reports/department/                                               403 403 403 403 403 403 403 200 403 | 302 302 302
GET /reports/export.xlsx                                               200 200 403 403 403 403 403 403 200 | 302 302 302
GET /reports/monthly/                                                  200 403 403 403 403 403 403 403 200 | 302 302 302
GET /reports/events/                                                   200 200 403 403 403 403 403 403 200 | 302 302 302
GET /reports/figures/                                                  200 200 403 403 403 403 403 403 200 | 302 302 302
GET /reports/town/                                                     404 404 403 403 403 403 403 403 404 | 302 302 302  # no town asked: 404
GET /reports/trends/                                                   200 200 403 403 403 403 403 403 200 | 302 302 302
GET /reviews/                                                          200 200 200 200 200 200 200 200 200 | 302 302 302
GET /reviews/appeals/                                                  200 200 200 200 200 200 200 200 200 | 302 302 302
GET /reviews/figures/                                                  200 200 200 200 200 200 200 200 200 | 302 302 302
GET /reviews/flags/                                                    200 403 403 403 403 403 403 403 200 | 302 302 302
GET /reviews/orders/                                                   200 200 200 200 200 200 200 200 200 | 302 302 302
GET /reviews/orders/{order_id}/                                        404 404 404 404 404 404 404 404 404 | 302 302 302
GET /reviews/pad/{token}/                                              404 404 404 404 404 404 404 404 404 | 404 404 404
GET /reviews/pad/{token}/events                                        404 404 404 404 404 404 404 404 404 | 404 404 404
GET /reviews/pad/{token}/photo                                         404 404 404 404 404 404 404 404 404 | 404 404 404
GET /reviews/pad/{token}/rate                                          405 405 405 405 405 405 405 405 405 | 405 405 405
GET /reviews/pad/{token}/state                                         404 404 404 404 404 404 404 404 404 | 404 404 404
GET /reviews/pads/                                                     200 200 200 200 200 200 200 200 200 | 302 302 302
GET /reviews/public/{centre_id}/                                       200 200 200 200 200 200 200 200 200 | 200 200 200
GET /reviews/r/{rating_id}/                                            404 404 404 404 404 404 404 404 404 | 302 302 302
GET /reviews/r/{rating_id}/appeal                                      405 405 405 405 405 405 405 405 405 | 302 302 302
GET /reviews/r/{rating_id}/reveal                                      405 405 405 405 405 405 405 405 405 | 302 302 302
GET /reviews/rankings/                                                 200 403 403 403 403 403 403 403 200 | 302 302 302
GET /reviews/rate/                                                     200 200 200 200 200 200 200 200 200 | 200 200 200
GET /reviews/rate/c/{token}/                                           404 404 404 404 404 404 404 404 404 | 404 404 404
GET /reviews/rate/t/{token}/                                           404 404 404 404 404 404 404 404 404 | 404 404 404
GET /reviews/rate/y/{token}/                                           404 404 404 404 404 404 404 404 404 | 404 404 404
GET /reviews/settings/                                                 200 403 403 403 403 403 403 403 403 | 302 302 302
GET /staffing/                                                         200 200 200 200 200 200 200 200 200 | 302 302 302
GET /staffing/assessment/                                              200 200 200 200 200 200 200 200 200 | 302 302 302
GET /staffing/assessment/export.xlsx                                   404 404 404 404 404 404 404 404 404 | 302 302 302
GET /staffing/assessment/items/                                        200 403 403 403 403 403 403 403 200 | 302 302 302
GET /staffing/assessment/results/{result_id}/                          404 404 404 404 404 404 404 404 404 | 302 302 302
GET /staffing/assessment/schemes/                                      200 403 403 403 403 403 403 403 200 | 302 302 302
GET /staffing/attendance/                                              200 200 200 200 200 200 200 200 200 | 302 302 302
GET /staffing/attendance/sign-in/                                      405 405 405 405 405 405 405 405 405 | 302 302 302
GET /staffing/attendance/sign-out/                                     405 405 405 405 405 405 405 405 405 | 302 302 302
GET /staffing/enquiries/                                               200 200 200 200 200 200 200 200 200 | 302 302 302
GET /staffing/enquiries/new/                                           200 200 200 200 200 200 200 200 200 | 302 302 302
GET /staffing/enquiries/{enquiry_id}/                                  404 404 404 404 404 404 404 404 404 | 302 302 302
GET /staffing/leaves/                                                  200 200 200 200 200 200 200 200 200 | 302 302 302
GET /staffing/leaves/{leave_id}/{action}/                              405 405 405 405 405 405 405 405 405 | 302 302 302
GET /staffing/roster/                                                  404 200 200 200 200 200 200 404 404 | 302 302 302
GET /standards/                                                        302 302 404 404 404 404 404 404 302 | 302 302 302
GET /standards/assessments/{pk}/                                       404 404 404 404 404 404 404 404 404 | 302 302 302
GET /standards/assessments/{pk}/scorecard.{fmt}                        404 404 404 404 404 404 404 404 404 | 302 302 302
GET /standards/centres/{centre_pk}/surveys/new/                        405 405 405 405 405 405 405 405 405 | 405 405 405
GET /standards/centres/{pk}/                                           200 200 404 404 404 404 404 404 200 | 302 302 302
GET /standards/centres/{pk}/assess/                                    405 405 405 405 405 405 405 405 405 | 405 405 405
GET /standards/evidence/{pk}/                                          404 404 404 404 404 404 404 404 404 | 302 302 302
GET /standards/items/{pk}/                                             404 404 404 404 404 404 404 404 404 | 302 302 302
GET /standards/overview/                                               200 404 404 404 404 404 404 404 200 | 302 302 302
GET /standards/photos/{pk}/                                            404 404 404 404 404 404 404 404 404 | 302 302 302
GET /standards/rulesets/                                               200 404 404 404 404 404 404 404 200 | 302 302 302
GET /standards/rulesets/{pk}/                                          404 404 404 404 404 404 404 404 404 | 302 302 302
GET /standards/surveys/{pk}/                                           404 404 404 404 404 404 404 404 404 | 302 302 302
PATCH /api/v1/standards/items/{item_id}                                 ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
PATCH /api/v1/standards/rulesets/{rule_set_id}/rules/{rule_id}          ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
PATCH /api/v1/standards/surveys/{survey_id}                             ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/govstack/registration/documents                              400 400 400 400 400 400 400 400 400 | 401 401 401
POST /api/govstack/registration/services/{serviceId}/applications      400 400 400 400 400 400 400 400 400 | 401 401 401
POST /api/govstack/registration/tasks/{taskId}/complete                404 404 404 404 404 404 404 404 404 | 401 401 401
PUT /api/govstack/registration/applications/{fileId}                   400 400 400 400 400 400 400 400 400 | 401 401 401
POST /api/v1/cases/                                                     ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/cases/online                                               ok  ok  ok  ok  ok  ok  ok  ok  ok |  ok  ok  ok
POST /api/v1/cases/track/by-id                                          ok  ok  ok  ok  ok  ok  ok  ok  ok |  ok  ok  ok
POST /api/v1/cases/{case_id}/accept                                    403  ok  ok 403 403 403 404 403 403 | 401 401 401
POST /api/v1/cases/{case_id}/agency                                     ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/cases/{case_id}/commitment-check                           ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/cases/{case_id}/correction                                 ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/cases/{case_id}/deliver                                    ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/cases/{case_id}/files                                      ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/cases/{case_id}/finish                                     ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/cases/{case_id}/materials                                  ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/cases/{case_id}/pass                                       ok  ok  ok  ok  ok  ok 404  ok  ok | 401 401 401
POST /api/v1/cases/{case_id}/reject                                     ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/cases/{case_id}/resubmit                                   ok  ok  ok  ok  ok  ok 404  ok  ok | 401 401 401
POST /api/v1/cases/{case_id}/return                                     ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/cases/{case_id}/reveal                                    403  ok  ok  ok 403  ok 404 403 403 | 401 401 401
POST /api/v1/cases/{case_id}/special/end                                ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/cases/{case_id}/special/start                              ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/cases/{case_id}/supply                                     ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/catalog/matters                                            ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/catalog/matters/{code}/{action}                            ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/catalog/notification-sheets                                ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/exchange/notifications/{notification_id}/retry             ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/exchange/sms/test                                          ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/exchange/sync/{item_id}/retry                              ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/hotline/inbound/orders                                    401 401 401 401 401 401 401 401 401 | 401 401 401
POST /api/v1/hotline/inbound/orders/{number}/visit                     401 401 401 401 401 401 401 401 401 | 401 401 401
POST /api/v1/hotline/orders/{order_id}/assign                           ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/hotline/orders/{order_id}/dispatch                         ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/hotline/orders/{order_id}/extension                        ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/hotline/orders/{order_id}/extension/decide                 ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/hotline/orders/{order_id}/reply                            ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/hotline/orders/{order_id}/return                           ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/hotline/orders/{order_id}/visit                            ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/queueing/appointments                                      ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/queueing/appointments/cancel                               ok  ok  ok  ok  ok  ok  ok  ok  ok |  ok  ok  ok
POST /api/v1/queueing/centres/{centre_id}/check-in                      ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/queueing/centres/{centre_id}/slots                         ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/queueing/centres/{centre_id}/tickets                      403  ok  ok  ok  ok  ok 404 403 403 | 401 401 401
POST /api/v1/queueing/public/tickets/{token}/cancel                    404 404 404 404 404 404 404 404 404 | 404 404 404
POST /api/v1/queueing/tickets/{ticket_id}/cancel                        ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/queueing/tickets/{ticket_id}/reinstate                     ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/queueing/windows/{window_id}/call-next                    403  ok  ok  ok  ok  ok 404 403 403 | 401 401 401
POST /api/v1/queueing/windows/{window_id}/close                        403  ok  ok  ok  ok  ok 404 403 403 | 401 401 401
POST /api/v1/queueing/windows/{window_id}/open                         403  ok  ok  ok  ok  ok 404 403 403 | 401 401 401
POST /api/v1/queueing/windows/{window_id}/pause                         ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/queueing/windows/{window_id}/resume                       403  ok  ok  ok  ok  ok 404 403 403 | 401 401 401
POST /api/v1/queueing/windows/{window_id}/tickets/{ticket_id}/finish    ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/queueing/windows/{window_id}/tickets/{ticket_id}/recall    ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/queueing/windows/{window_id}/tickets/{ticket_id}/skip      ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/queueing/windows/{window_id}/tickets/{ticket_id}/start     ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/queueing/windows/{window_id}/tickets/{ticket_id}/transfer  ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/reviews/appeals/{appeal_id}/decide                         ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/reviews/flags/{flag_id}/decide                             ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/reviews/pads                                               ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/reviews/pads/{pad_id}/revoke                               ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/reviews/province/bad-reviews                              401 401 401 401 401 401 401 401 401 | 401 401 401
POST /api/v1/reviews/public/case/{token}/rating                         ok  ok  ok  ok  ok  ok  ok  ok  ok |  ok  ok  ok
POST /api/v1/reviews/public/case/{token}/supplement                     ok  ok  ok  ok  ok  ok  ok  ok  ok |  ok  ok  ok
POST /api/v1/reviews/public/lookup                                      ok  ok  ok  ok  ok  ok  ok  ok  ok |  ok  ok  ok
POST /api/v1/reviews/public/pad/{token}/rating                          ok  ok  ok  ok  ok  ok  ok  ok  ok |  ok  ok  ok
POST /api/v1/reviews/public/ticket/{token}/rating                       ok  ok  ok  ok  ok  ok  ok  ok  ok |  ok  ok  ok
POST /api/v1/reviews/ratings/{rating_id}/appeal                         ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/reviews/ratings/{rating_id}/reveal-phone                   ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/reviews/work-orders/{order_id}/close                       ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/reviews/work-orders/{order_id}/decide                      ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/reviews/work-orders/{order_id}/ledger-complete             ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/reviews/work-orders/{order_id}/reply                       ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/reviews/work-orders/{order_id}/verify                      ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/reviews/work-orders/{order_id}/visit                       ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/staffing/attendance/sign-in                               403  ok  ok  ok  ok  ok  ok 403 403 | 401 401 401
POST /api/v1/staffing/attendance/sign-out                               ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/staffing/enquiries                                         ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/staffing/enquiries/{enquiry_id}/answer                     ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/staffing/enquiries/{enquiry_id}/contact                    ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/staffing/enquiries/{enquiry_id}/hand-over                  ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/staffing/leaves                                            ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/staffing/leaves/{leave_id}/approve                         ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/staffing/leaves/{leave_id}/cancel                          ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/staffing/leaves/{leave_id}/reject                          ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/standards/assessments                                      ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/standards/items/{item_id}/rectify                          ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/standards/rulesets/{rule_set_id}/copy                      ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/standards/rulesets/{rule_set_id}/publish                   ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/standards/rulesets/{rule_set_id}/rules                     ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/standards/surveys                                          ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/standards/surveys/{survey_id}/finish                       ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
POST /api/v1/standards/surveys/{survey_id}/photos                       ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
PUT /api/v1/catalog/matters/{code}/draft                                ok 403 403 403 403 403 403 403 403 | 401 401 401
PUT /api/v1/hotline/settings                                            ok 403 403 403 403 403 403 403 403 | 401 401 401
PUT /api/v1/reviews/settings                                            ok  ok  ok  ok  ok  ok  ok  ok  ok | 401 401 401
"""


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    cells: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    def expected(self, role: str) -> str:
        return self.cells[ROLES.index(role)]


def parse(text: str) -> dict[str, Row]:
    rows: dict[str, Row] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.replace("|", " ").split()
        if len(parts) != 2 + len(ROLES):
            raise ValueError(f"matrix line {number}: expected METHOD path and {len(ROLES)} cells: {raw!r}")
        method, path, *cells = parts
        row = Row(method.upper(), path, tuple(cells))
        if row.key in rows:
            raise ValueError(f"matrix line {number}: duplicate row {row.key}")
        rows[row.key] = row
    return rows


MATRIX = parse(MATRIX_TEXT)


# --- the endpoints -------------------------------------------------------------------------------------

API_PREFIX = "/api/v1"
API_PREFIXES = (API_PREFIX, "/api/govstack/registration")  # the GovStack adapter has its own NinjaAPI
_CONVERTER = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")


def _route_to_path(route: str) -> str:
    """`cases/<int:case_id>/` → `/cases/{case_id}/` (the OpenAPI spelling, one for pages and API)."""
    return "/" + _CONVERTER.sub(lambda m: "{" + m.group("name") + "}", route)


def url_patterns() -> list[tuple[str, str]]:
    """Every URL pattern as (path, name), walking the resolver recursively (admin and the API included)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found: list[tuple[str, str]] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                ns = namespace + (f"{entry.namespace}:" if entry.namespace else "")
                walk(entry, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern):
                found.append((_route_to_path(prefix + str(entry.pattern)), namespace + (entry.name or "")))

    walk(get_resolver(), "", "")
    return found


def api_operations() -> list[tuple[str, str]]:
    """Every OpenAPI operation of the ninja APIs (/api/v1 and the GovStack adapter's) as (METHOD, path)."""
    from govhall.api import api
    from govhall.govstack.registration import api as govstack_api

    ops = []
    for ninja_api in (api, govstack_api):
        for path, item in ninja_api.get_openapi_schema()["paths"].items():
            for method in item:
                if method.lower() in ("get", "post", "put", "patch", "delete"):
                    ops.append((method.upper(), path))
    return ops


def is_admin(path: str) -> bool:
    return path.startswith("/admin/")


ADMIN_KEY = "GET /admin/*"


def endpoint_keys() -> list[str]:
    """The rows the matrix must have: each page pattern (GET), each API operation, and one row for the whole
    Django admin (every admin URL answers the same way per role: it is the bureau's back office)."""
    keys: list[str] = []
    api_paths = set()
    for method, path in api_operations():
        keys.append(f"{method} {path}")
        api_paths.add(path.rstrip("/"))
    admin = False
    for path, _name in url_patterns():
        if is_admin(path):
            admin = True
            continue
        if path.startswith(tuple(p + "/" for p in API_PREFIXES)) and path.rstrip("/") in api_paths:
            continue  # asked through its OpenAPI operations
        keys.append(f"GET {path}")
    if admin:
        keys.append(ADMIN_KEY)
    return sorted(set(keys))


def admin_paths() -> list[str]:
    """The admin URLs the admin row is checked on: every one without parameters except the admin's own
    login and logout pages (the gate itself: its login form answers 200 to anybody)."""
    gate = {"/admin/login/", "/admin/logout/"}
    return sorted({p for p, _n in url_patterns() if is_admin(p) and "{" not in p and p not in gate})


# --- the table in docs/security.md --------------------------------------------------------------------

DOC_BEGIN = "<!-- authorization-matrix:begin (python -m tests.authorization_matrix --markdown) -->"
DOC_END = "<!-- authorization-matrix:end -->"


def markdown() -> str:
    head = "| 接口 | " + " | ".join(ROLE_LABELS[r] for r in ROLES) + " |"
    rule = "|---|" + "|".join(":-:" for _ in ROLES) + "|"
    lines = [head, rule]
    for key in sorted(MATRIX):
        row = MATRIX[key]
        cells = []
        for role in ROLES:
            cell = row.expected(role)
            pending = PENDING.get(key)
            if pending and role in pending[0]:
                cell += "†"
            cells.append(cell)
        lines.append(f"| `{key}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def doc_table(text: str) -> str:
    start, end = text.index(DOC_BEGIN) + len(DOC_BEGIN), text.index(DOC_END)
    return text[start:end].strip("\n") + "\n"


if __name__ == "__main__":
    if "--markdown" in sys.argv:
        sys.stdout.write(markdown())
    else:
        sys.stderr.write("usage: python -m tests.authorization_matrix --markdown\n")
        sys.exit(2)

# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
{
    "name": "Membership Management",
    "summary": "Members, plans, dues invoices and member states on Odoo accounting",
    "version": "19.0.1.0.0",
    "category": "Marketing/Membership",
    "author": "Membership Management contributors",
    "website": "https://github.com/membership-management/membership_management",
    "license": "AGPL-3",
    "development_status": "Alpha",
    "application": True,
    "depends": ["account", "mail", "portal"],
    "external_dependencies": {
        "python": ["phonenumbers", "qrcode", "xlsxwriter", "pyotp"],
    },
    "data": [
        "security/membership_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "data/ir_cron_data.xml",
        "data/membership_withdrawal_reason_data.xml",
        "views/membership_plan_views.xml",
        "views/membership_dues_views.xml",
        "views/membership_dues_run_views.xml",
        "views/membership_status_history_views.xml",
        "views/membership_member_views.xml",
        "views/membership_withdrawal_reason_views.xml",
        "views/membership_tier_views.xml",
        "views/res_partner_views.xml",
        "views/account_move_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/membership_plan_demo.xml",
        "demo/membership_member_demo.xml",
    ],
    "installable": True,
}

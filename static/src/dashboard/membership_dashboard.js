// Copyright 2026 Membership Management contributors
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import { Component, onWillStart, useEffect, useRef, useState } from "@odoo/owl";
import { loadBundle } from "@web/core/assets";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { formatFloat, formatInteger, formatMonetary } from "@web/views/fields/formatters";
import { Layout } from "@web/search/layout";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

// one colour per series, the same meaning on every chart
const SERIES_COLORS = {
    waiting: "#4c8bf5",
    active: "#2e9f5a",
    grace: "#f0ad4e",
    suspended: "#9e9e9e",
    joined: "#2e9f5a",
    rejoined: "#17a2b8",
    lapsed: "#f0ad4e",
    withdrawn: "#dc3545",
    billed: "#4c8bf5",
    collected: "#2e9f5a",
};

/**
 * The Membership app's first screen for officers and managers: key figures
 * (each opens the records behind it) and three monthly charts. The figures
 * come from `membership.dashboard.get_dashboard_data`, computed with the
 * reader's rights; this component only draws them.
 */
export class MembershipDashboard extends Component {
    static template = "membership_management.Dashboard";
    static components = { Layout };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        this.state = useState({
            data: null,
            filters: { months: 24, plan_ids: [], tier_ids: [], company_ids: [] },
        });
        this.canvases = {
            states: useRef("states"),
            movements: useRef("movements"),
            dues: useRef("dues"),
        };
        this.charts = {};
        onWillStart(async () => {
            await loadBundle("web.chartjs_lib");
            await this.load();
        });
        useEffect(
            () => {
                this.drawCharts();
                return () => this.destroyCharts();
            },
            () => [this.state.data]
        );
    }

    async load() {
        const data = await this.orm.call("membership.dashboard", "get_dashboard_data", [
            this.state.filters,
        ]);
        this.state.filters = { ...data.filters };
        this.state.data = data;
    }

    get cardGroups() {
        const cards = Object.fromEntries(this.state.data.cards.map((c) => [c.key, c]));
        const pick = (keys) => keys.map((key) => cards[key]).filter(Boolean);
        return [
            {
                key: "states",
                cards: pick([
                    "state_active",
                    "state_grace",
                    "state_waiting",
                    "state_suspended",
                    "state_draft",
                    "state_lapsed",
                    "state_withdrawn",
                ]),
            },
            {
                key: "movements",
                cards: pick([
                    "joined_month",
                    "joined_year",
                    "renewals_due",
                    "lapsed_year",
                    "withdrawn_year",
                ]),
            },
            {
                key: "dues",
                cards: pick([
                    "dues_billed",
                    "dues_collected",
                    "dues_outstanding",
                    "collection_rate",
                ]),
            },
            { key: "retention", cards: pick(["retention", "churn", "participation"]) },
        ];
    }

    formatValue(card) {
        if (card.kind === "money") {
            return formatMonetary(card.value, { currencyId: this.state.data.currency_id });
        }
        if (card.kind === "percent") {
            return `${formatFloat(card.value, { digits: [16, 1] })} %`;
        }
        return formatInteger(card.value);
    }

    async openCard(card) {
        // retention and churn lists are only computed when opened
        const action =
            card.action ||
            (await this.orm.call("membership.dashboard", "get_card_action", [
                card.key,
                this.state.filters,
            ]));
        this.actionService.doAction(action);
    }

    openReport(chart) {
        this.actionService.doAction(this.state.data.charts[chart].action);
    }

    async setFilter(name, value) {
        if (name === "months") {
            this.state.filters.months = parseInt(value);
        } else {
            this.state.filters[name] = value ? [parseInt(value)] : [];
        }
        await this.load();
    }

    drawCharts() {
        const { labels } = this.state.data.charts;
        const kinds = { states: "bar", movements: "bar", dues: "line" };
        for (const [name, ref] of Object.entries(this.canvases)) {
            if (!ref.el) {
                continue;
            }
            const chart = this.state.data.charts[name];
            const datasets = chart.datasets.map((dataset) => ({
                label: dataset.label,
                data: dataset.data,
                backgroundColor: SERIES_COLORS[dataset.key],
                borderColor: SERIES_COLORS[dataset.key],
                fill: false,
                tension: 0.2,
            }));
            this.charts[name] = new Chart(ref.el, {
                type: kinds[name],
                data: { labels, datasets },
                options: {
                    maintainAspectRatio: false,
                    animation: false,
                    plugins: { legend: { position: "bottom" } },
                    scales: {
                        x: { stacked: name === "states" },
                        y: { stacked: name === "states", beginAtZero: true },
                    },
                },
            });
        }
    }

    destroyCharts() {
        for (const chart of Object.values(this.charts)) {
            chart.destroy();
        }
        this.charts = {};
    }
}

registry.category("actions").add("membership_management.dashboard", MembershipDashboard);

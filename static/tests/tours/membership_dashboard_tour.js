import { registry } from "@web/core/registry";

/** The dashboard draws, and a card opens the records behind its figure. */
registry.category("web_tour.tours").add("membership_dashboard", {
    steps: () => [
        {
            content: "The dashboard draws its charts",
            trigger: ".o_membership_dashboard .o_membership_chart canvas",
        },
        {
            content: "Open the applicants behind their card",
            trigger: ".o_membership_kpi_state_draft",
            run: "click",
        },
        {
            content: "The list shows the applicant",
            trigger: ".o_list_view .o_data_row:contains('Tour Applicant')",
        },
    ],
});

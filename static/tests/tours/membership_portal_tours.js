import { registry } from "@web/core/registry";

/** On an invoice's portal page: pay it with the demo provider's test card. */
function payInvoiceWithDemoCard() {
    return [
        {
            content: "Open the payment form of the invoice",
            trigger: "a[data-bs-target='#pay_with']",
            run: "click",
        },
        {
            content: "Enter test card details",
            trigger: "#pay_with #customer_input",
            run: "edit 4242424242424242",
        },
        {
            content: "Pay",
            trigger: "#pay_with button[name='o_payment_submit_button']",
            run: "click",
            expectUnloadPage: true,
        },
    ];
}

registry.category("web_tour.tours").add("membership_profile_phone", {
    url: "/my/membership",
    steps: () => [
        {
            content: "Open the profile",
            trigger: "a[href='/my/membership/profile']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Type an invalid phone number",
            trigger: "input[name='phone']",
            run: "edit 12345",
        },
        {
            content: "Save",
            trigger: ".o_membership_profile_form button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The number is refused",
            trigger: ".invalid-feedback:contains('This phone number is not valid')",
        },
        {
            content: "Type a valid number",
            trigger: "input[name='phone']",
            run: "edit +81 3 1234 5678",
        },
        {
            content: "Save again",
            trigger: ".o_membership_profile_form button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Back on the membership page, saved",
            trigger: ".alert-success:contains('Your details were saved')",
        },
    ],
});

registry.category("web_tour.tours").add("membership_renew", {
    url: "/my/membership",
    steps: () => [
        {
            content: "Renew early",
            trigger: "form[action='/my/membership/renew'] button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The renewal invoice is shown",
            trigger: "#invoice_content",
        },
    ],
});

registry.category("web_tour.tours").add("membership_join", {
    url: "/membership",
    steps: () => [
        {
            content: "Choose the plan",
            trigger: ".o_membership_plan_card:contains('Tour Plan') a:contains('Join')",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Name",
            trigger: "input[name='name']",
            run: "edit Tour Applicant",
        },
        {
            content: "E-mail",
            trigger: "input[name='email']",
            run: "edit tour.applicant@example.com",
        },
        {
            content: "Accept the terms",
            trigger: "input[name='accept_terms']",
            run: "click",
        },
        {
            content: "Apply",
            trigger: ".o_membership_join_form button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The page only asks to check the mailbox",
            trigger: "body:contains('Please check your mailbox')",
        },
    ],
});

// started on the invoice link of the e-mail the applicant received
registry.category("web_tour.tours").add("membership_pay_first_dues", {
    steps: () => [
        ...payInvoiceWithDemoCard(),
        {
            content: "The payment is confirmed",
            trigger: "body:contains('Your payment has been processed')",
        },
    ],
});

registry.category("web_tour.tours").add("membership_event_register_and_pay", {
    url: "/my/membership/events",
    steps: () => [
        {
            content: "The member price is shown",
            trigger: ".o_membership_event_card:contains('Tour Seminar'):contains('member price')",
        },
        {
            content: "Register for the seminar",
            trigger: ".o_membership_event_card:contains('Tour Seminar') button.o_membership_event_register",
            run: "click",
            expectUnloadPage: true,
        },
        ...payInvoiceWithDemoCard(),
        {
            content: "Back on the invoice, the payment is confirmed",
            trigger: "body:has(#invoice_content):contains('Your payment has been processed')",
            run: "goToUrl /my/membership/events",
            expectUnloadPage: true,
        },
        {
            content: "The seminar is under my registrations, confirmed",
            trigger: ".o_membership_registrations tr:contains('Tour Seminar'):contains('Registered')",
        },
        {
            content: "Nothing left to pay",
            trigger: ".o_membership_registrations:not(:has(.o_membership_event_pay))",
        },
    ],
});

/** Back office: starting a one-shot campaign asks first, with the count. */
registry.category("web_tour.tours").add("membership_campaign_start", {
    steps: () => [
        {
            content: "Start the campaign",
            trigger: ".o_form_view button[name='action_start']",
            run: "click",
        },
        {
            content: "The dialog asks, with the number of members",
            trigger: ".modal .o_membership_campaign_start_question:contains('to 2 members now?')",
        },
        {
            content: "Send",
            trigger: ".modal button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The campaign runs",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Running')",
        },
    ],
});

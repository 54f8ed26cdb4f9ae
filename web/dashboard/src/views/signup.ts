// The sign-up screen: a new account and its owner, offered on the sign-in
// screen when the server allows it.
import { api, APIError } from "../api";
import { h, replace } from "../dom";
import { t } from "../i18n";
import { errorText } from "../ui";

export function mountSignUp(el: HTMLElement, onSignedIn: () => void, onBack: () => void): void {
  const field = (label: string, input: HTMLInputElement) =>
    h("label", { class: "field" }, h("span", { class: "field-label" }, label), input);
  const account = h("input", { type: "text", name: "account_name", autocomplete: "organization", required: true, maxlength: 200 });
  const name = h("input", { type: "text", name: "name", autocomplete: "name", required: true, maxlength: 200 });
  const email = h("input", { type: "email", name: "email", autocomplete: "username", required: true });
  const password = h("input", { type: "password", name: "password", autocomplete: "new-password", required: true, minlength: 8 });
  const error = h("p", { class: "form-error", role: "alert" });
  const submit = h("button", { type: "submit", class: "btn primary wide" }, t("signup.submit"));
  const form = h(
    "form",
    {
      class: "login-card signup",
      onsubmit: async (e: SubmitEvent) => {
        e.preventDefault();
        error.textContent = "";
        submit.disabled = true;
        try {
          await api.signUp({ account_name: account.value.trim(), name: name.value.trim(), email: email.value.trim(), password: password.value });
          onSignedIn();
        } catch (err) {
          error.textContent = signUpError(err);
          submit.disabled = false;
        }
      },
    },
    h("img", { src: "/icons/icon.svg", alt: "", class: "login-logo", width: 48, height: 48 }),
    h("h1", null, t("signup.title")),
    h("p", { class: "hint" }, t("signup.subtitle")),
    field(t("signup.account_name"), account),
    field(t("signup.name"), name),
    field(t("login.email"), email),
    field(t("login.password"), password),
    h("p", { class: "hint" }, t("signup.password_hint")),
    error,
    submit,
    h("p", { class: "login-alt" }, h("button", { type: "button", class: "btn ghost small", onclick: onBack }, t("signup.have_account"))),
  );
  replace(el, h("main", { class: "login" }, form));
  account.focus();
}

function signUpError(err: unknown): string {
  if (err instanceof APIError) {
    if (err.status === 409) return t("signup.email_taken");
    if (err.status === 429) return t("signup.too_many");
    if (err.status === 403 || err.status === 404) return t("signup.off");
  }
  return errorText(err);
}

// The sign-in screen.
import { api, APIError } from "../api";
import { h, replace } from "../dom";
import { isLocale, localeNames, locale, locales, setLocale, t } from "../i18n";
import type { Locale } from "../types";
import { errorText, select } from "../ui";
import { mountSignUp } from "./signup";

export function mountLogin(el: HTMLElement, onLogin: () => void): void {
  const email = h("input", { type: "email", name: "email", autocomplete: "username", required: true, autofocus: true });
  const password = h("input", { type: "password", name: "password", autocomplete: "current-password", required: true });
  const error = h("p", { class: "form-error", role: "alert" });
  const submit = h("button", { type: "submit", class: "btn primary wide" }, t("login.submit"));
  const langs = select(locales.map((l) => ({ value: l, label: localeNames[l] })), locale(), async (v) => {
    if (!isLocale(v)) return;
    await setLocale(v as Locale);
    localStorage.setItem("sahay.locale", v);
    mountLogin(el, onLogin);
  }, { "aria-label": t("profile.locale"), class: "lang-select" });
  const form = h(
    "form",
    {
      class: "login-card",
      onsubmit: async (e: SubmitEvent) => {
        e.preventDefault();
        error.textContent = "";
        submit.disabled = true;
        try {
          await api.login(email.value.trim(), password.value);
          onLogin();
        } catch (err) {
          error.textContent = !(err instanceof APIError)
            ? errorText(err)
            : err.status === 401
              ? t("login.invalid")
              : err.status === 429
                ? t("login.too_many")
                : errorText(err);
          submit.disabled = false;
          password.select();
        }
      },
    },
    h("img", { src: "/icons/icon.svg", alt: "", class: "login-logo", width: 48, height: 48 }),
    h("h1", null, t("login.title")),
    h("p", { class: "hint" }, t("login.subtitle")),
    h("label", { class: "field" }, h("span", { class: "field-label" }, t("login.email")), email),
    h("label", { class: "field" }, h("span", { class: "field-label" }, t("login.password")), password),
    error,
    submit,
    langs,
  );
  replace(el, h("main", { class: "login" }, form));
  email.focus();
  // Sign-up is offered only when the server's operator allows it (the
  // route answers 404 otherwise). data-signup says the answer is in.
  api.signUpAllowed().then(
    ({ allowed }) => {
      form.dataset.signup = allowed ? "on" : "off";
      if (!allowed) return;
      const open = () => mountSignUp(el, onLogin, () => mountLogin(el, onLogin));
      form.insertBefore(h("p", { class: "login-alt" }, h("button", { type: "button", class: "btn ghost small", onclick: open }, t("login.signup"))), langs);
    },
    () => (form.dataset.signup = "off"),
  );
}

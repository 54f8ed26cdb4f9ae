// Saved views: the sidebar section that lists them with their counts, the
// dialog that saves the list's current filters under a name (private, for
// a team, or for everyone), and renaming and deleting one.
import { api } from "../api";
import { h } from "../dom";
import { num, t } from "../i18n";
import { icon } from "../icons";
import { filterQuery, list, viewFilters, type Filter } from "../inbox";
import { navigate } from "../router";
import { canEditView, isAdmin, reloadViews, state } from "../state";
import type { SavedView, Sort, Status } from "../types";
import { button, confirmDialog, errorText, field, iconButton, menu, modal, select, toast } from "../ui";

/** The list filter that opens a saved view, on its own status and order. */
export function savedFilter(v: SavedView): Filter {
  return { view: "saved:" + v.id, status: (v.filters.status || "open") as Status, sort: (v.filters.sort || "last_activity") as Sort, mood: "" };
}

function countText(v: SavedView): string {
  return v.count_capped ? num(v.count) + "+" : num(v.count);
}

/** The sidebar entries of the saved views the agent sees. */
export function savedViewLinks(active: string, onopen: () => void): HTMLElement[] {
  return state.views.map((v) => {
    const view = "saved:" + v.id;
    const link = h(
      "a",
      {
        href: "/conversations?" + filterQuery(savedFilter(v)),
        class: "nav-item saved-view" + (active === view ? " active" : ""),
        "data-nav": "",
        dataset: { view },
        onclick: onopen,
      },
      icon(v.visibility === "private" ? "lock" : "users"),
      h("span", { class: "nav-label" }, v.name),
      v.count ? h("span", { class: "count" }, countText(v)) : null,
    );
    if (!canEditView(v)) return link;
    const more = iconButton("edit", t("views.manage", { name: v.name }), (e) => {
      e.preventDefault();
      menu(e.currentTarget as HTMLElement, [
        { label: t("views.rename"), icon: "edit", onselect: () => renameDialog(v) },
        { label: t("action.delete"), icon: "trash", onselect: () => void removeView(v) },
      ], v.name);
    }, "nav-more");
    return h("div", { class: "nav-row" }, link, more);
  });
}

function sharing(): { value: string; label: string }[] {
  const out = [{ value: "private", label: t("views.private") }];
  const mine = isAdmin() ? state.teams : state.teams.filter((tm) => state.teamIds.includes(tm.id));
  for (const tm of mine) out.push({ value: "team:" + tm.id, label: t("views.team", { name: tm.name }) });
  if (isAdmin()) out.push({ value: "account", label: t("views.everyone") });
  return out;
}

/** Asks for a name and saves the list's current filters as a view. */
export function saveViewDialog(): void {
  const name = h("input", { name: "name", required: true, maxlength: 200, autocomplete: "off" });
  const share = select(sharing(), "private", () => {}, { name: "share" });
  const filters = viewFilters(list.filter);
  const form = h(
    "form",
    {
      class: "form",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const [visibility, team] = share.value.split(":");
        try {
          const v = await api.createView({ name: name.value.trim(), filters, visibility: visibility as SavedView["visibility"], team_id: Number(team) || 0 });
          close();
          toast(t("views.saved", { name: v.name }));
          await reloadViews();
          navigate("/conversations?" + filterQuery(savedFilter(v)));
        } catch (err) {
          toast(errorText(err), "error");
        }
      },
    },
    field(t("views.name"), name),
    field(t("views.share"), share),
    h("div", { class: "form-actions" }, h("button", { type: "submit", class: "btn primary" }, t("action.save"))),
  );
  const close = modal(t("views.save"), form);
}

function renameDialog(v: SavedView): void {
  const name = h("input", { name: "name", required: true, maxlength: 200, value: v.name, autocomplete: "off" });
  const form = h(
    "form",
    {
      class: "form",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        try {
          await api.updateView(v.id, { name: name.value.trim() });
          close();
          await reloadViews();
        } catch (err) {
          toast(errorText(err), "error");
        }
      },
    },
    field(t("views.name"), name),
    h("div", { class: "form-actions" }, button(t("action.cancel"), () => close()), h("button", { type: "submit", class: "btn primary" }, t("action.save"))),
  );
  const close = modal(t("views.rename"), form);
}

async function removeView(v: SavedView): Promise<void> {
  if (!(await confirmDialog(t("views.delete_confirm", { name: v.name }), t("action.delete"), true))) return;
  try {
    await api.deleteView(v.id);
    await reloadViews();
    if (list.filter.view === "saved:" + v.id) navigate("/conversations?" + filterQuery({ ...list.filter, view: "all" }));
  } catch (e) {
    toast(errorText(e), "error");
  }
}

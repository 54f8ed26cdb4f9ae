// A shop customer's cart and orders, for the contact panel: what the site
// reported with Sahay.setCart and Sahay.trackOrder, and Shopify's orders and
// checkouts.
import { widgetApi } from "../api";
import { money } from "../commerce";
import { h, replace } from "../dom";
import { longTime, num, shortTime, t, tn, tOr } from "../i18n";
import type { CommerceItem, CommerceOrder } from "../types";

function items(list: CommerceItem[] | null, currency: string): HTMLElement {
  return h(
    "ul",
    { class: "order-items" },
    (list ?? []).map((it) =>
      h(
        "li",
        null,
        h("span", { class: "item-name" }, it.url ? h("a", { href: it.url, target: "_blank", rel: "noopener noreferrer" }, it.name) : it.name),
        h("span", { class: "item-qty" }, "× " + num(it.quantity)),
        h("span", { class: "item-price" }, money(it.price, currency)),
      ),
    ),
  );
}

function cart(o: CommerceOrder): HTMLElement {
  return h(
    "div",
    { class: "cart", dataset: { kind: o.kind } },
    h("div", { class: "order-head" },
      h("strong", null, o.kind === "checkout" ? t("orders.checkout") : t("orders.cart")),
      h("time", { class: "time", datetime: o.updated_at, title: longTime(o.updated_at) }, shortTime(o.updated_at)),
    ),
    items(o.items, o.currency),
    h("div", { class: "order-total" }, h("span", null, t("orders.total")), h("strong", null, money(o.total, o.currency))),
    o.url ? h("a", { href: o.url, target: "_blank", rel: "noopener noreferrer", class: "hint" }, t("orders.open_checkout")) : null,
  );
}

function order(o: CommerceOrder): HTMLElement {
  const count = (o.items ?? []).reduce((n, it) => n + it.quantity, 0);
  return h(
    "li",
    { class: "order", dataset: { kind: o.kind } },
    h("div", { class: "order-head" },
      o.url ? h("a", { href: o.url, target: "_blank", rel: "noopener noreferrer" }, "#" + o.external_id) : h("span", null, "#" + o.external_id),
      o.status ? h("span", { class: "status-badge" }, tOr("orders.status." + o.status, o.status)) : null,
      h("strong", { class: "order-sum" }, money(o.total, o.currency)),
    ),
    h("div", { class: "hint" },
      tn("orders.items", count),
      " · ",
      h("time", { datetime: o.created_at, title: longTime(o.created_at) }, shortTime(o.created_at)),
      o.source === "shopify" ? " · Shopify" : null,
    ),
  );
}

/**
 * The "Cart and orders" part of the contact panel. It stays hidden for
 * contacts who never shopped; reload fetches it again.
 */
export function ordersSection(contactId: number): { el: HTMLElement; reload: () => Promise<void> } {
  const el = h("div", { class: "orders-box", hidden: true });
  const reload = async () => {
    let list: CommerceOrder[];
    try {
      list = await widgetApi.orders(contactId);
    } catch {
      list = [];
    }
    // The latest open cart or checkout is what the customer is buying now,
    // unless an order came after it: an order empties the cart.
    const cartAt = list.findIndex((o) => o.kind === "cart" || (o.kind === "checkout" && o.status === "open"));
    const orderAt = list.findIndex((o) => o.kind === "order");
    const latest = cartAt >= 0 && (orderAt < 0 || cartAt < orderAt) ? list[cartAt] : undefined;
    const current = latest && (latest.items ?? []).length ? latest : undefined;
    const orders = list.filter((o) => o.kind === "order");
    el.hidden = !current && !orders.length;
    replace(
      el,
      h("h3", null, t("orders.title")),
      current ? cart(current) : null,
      orders.length ? h("ul", { class: "orders" }, orders.map(order)) : null,
    );
  };
  return { el, reload };
}

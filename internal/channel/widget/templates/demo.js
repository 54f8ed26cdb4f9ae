// The demo shop: products, a cart the widget is told about, an order on
// checkout, and buttons that switch the widget's language.
var products = [
  { name: "Nakshi kantha quilt", price: 4200, color: "#c0392b" },
  { name: "Jamdani saree", price: 9800, color: "#16a085" },
  { name: "Terracotta horse", price: 850, color: "#d35400" },
  { name: "Shital pati mat", price: 1600, color: "#8e6e3a" }
];
var cart = [];
function total() { return cart.reduce(function (s, p) { return s + p.price; }, 0); }
products.forEach(function (p, i) {
  var card = document.createElement("div");
  card.className = "card";
  card.innerHTML = '<div class="art"></div><h3></h3><p></p><button class="add">Add to cart</button>';
  card.querySelector(".art").style.background = p.color;
  card.querySelector("h3").textContent = p.name;
  card.querySelector("p").textContent = "৳" + p.price;
  card.querySelector(".add").onclick = function () {
    cart.push(p);
    document.getElementById("cart").textContent = "Cart: " + cart.length + " (৳" + total() + ")";
    if (window.Sahay && Sahay.setCart) Sahay.setCart({ items: cart.map(function (c) { return { name: c.name, quantity: 1, price: c.price }; }), total: total(), currency: "BDT" });
    if (window.Sahay && Sahay.trackEvent) Sahay.trackEvent("add_to_cart", { name: p.name });
  };
  document.getElementById("products").appendChild(card);
});
document.getElementById("checkout").onclick = function () {
  if (!cart.length || !window.Sahay) return;
  Sahay.trackOrder({ id: "DEMO-" + Date.now(), total: total(), currency: "BDT", status: "placed", items: cart.map(function (c) { return { name: c.name, quantity: 1, price: c.price }; }) });
  cart = [];
  document.getElementById("cart").textContent = "Cart: 0";
};
document.querySelectorAll("[data-locale]").forEach(function (b) {
  b.onclick = function () { if (window.Sahay) Sahay.setLocale(b.dataset.locale); };
});

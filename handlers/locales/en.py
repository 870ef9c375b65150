"""English: the reference catalog. Every key used anywhere must exist here."""

MESSAGES: dict[str, str] = {
    # --- start and menu ---
    "welcome.new": "Welcome, {name}! Your account is ready. What would you like to do?",
    "welcome.back": "Welcome back, {name}! What would you like to do?",
    "menu.title": "What would you like to do?",
    "menu.browse": "🛍 Browse",
    "menu.search": "🔎 Search",
    "menu.cart": "🛒 Cart",
    "menu.orders": "📦 My orders",
    "menu.wishlist": "♡ Wishlist",
    "menu.help": "❓ Help",
    "help": (
        "I am the marketplace's shopping assistant.\n\n"
        "• Tap <b>Browse</b> to walk the categories, or just type what you are looking for.\n"
        "• /cart shows your cart, /orders your orders.\n"
        "• /sell opens your store, or lets you apply for one.\n"
        "• /cancel stops whatever you are doing; nothing is lost."
    ),
    "cancelled": "Cancelled. Nothing was changed.",
    "banned": (
        "Your account is blocked: {reason}. Contact support if you think this is a mistake."
    ),
    "slow_down": "You are going a bit fast: please wait a moment.",
    "oops": "Sorry, something went wrong on our side. Nothing was changed; please try again.",
    "stale_button": "This button is no longer active.",
    "back": "⬅ Back",
    "prev": "◀",
    "next": "▶",
    # --- catalog ---
    "browse.title": "Choose a category:",
    "browse.category": "<b>{name}</b>: {total} products (page {page}/{pages})",
    "browse.empty": "Nothing here yet.",
    "browse.all": "All in {name}",
    "product.price": "{price}",
    "product.discount": "<s>{old}</s> <b>{new}</b>",
    "product.stock": "In stock: {stock}",
    "product.sold_out": "Sold out",
    "product.rating": "★ {rating} ({count} reviews)",
    "product.no_rating": "No reviews yet",
    "product.seller": "Sold by {store}",
    "product.add": "🛒 Add {qty} to cart",
    "product.wish": "♡ Wishlist",
    "product.added": "Added {qty} × {name} to your cart.",
    "product.wished": "Saved to your wishlist.",
    "search.prompt": "Type what you are looking for, e.g. <i>red hoodie</i>.",
    "search.results": "Results for “{query}”: {total} (page {page}/{pages})",
    "search.none": "Nothing matches “{query}”. Try other words, or browse the categories.",
    # --- cart ---
    "cart.title": "<b>Your cart</b>",
    "cart.line": "{qty} × {name} — {total}",
    "cart.subtotal": "Subtotal: <b>{subtotal}</b>",
    "cart.empty": "Your cart is empty.",
    "cart.checkout": "✅ Checkout",
    "cart.clear": "🗑 Empty cart",
    "cart.changed": "Your cart changed since you last saw it:",
    "cart.change.price_changed": "• {name}: price now {new} (was {old})",
    "cart.change.out_of_stock": "• {name}: sold out, removed",
    "cart.change.insufficient_stock": "• {name}: only {new} left, quantity lowered",
    "cart.change.product_inactive": "• {name}: no longer sold, removed",
    "cart.change.seller_suspended": "• {name}: no longer sold, removed",
    # --- wishlist ---
    "wishlist.title": "<b>Your wishlist</b>",
    "wishlist.empty": "Your wishlist is empty.",
    # --- checkout ---
    "checkout.address": "Where should we deliver?",
    "checkout.address.new": "➕ New address",
    "checkout.address.ask": (
        "Send the address in one message, lines separated by commas:\n"
        "<i>street, city, country[, postal code]</i>"
    ),
    "checkout.address.bad": (
        "I need at least street, city and country, separated by commas. Please try again."
    ),
    "checkout.provider": "How should it be shipped?",
    "checkout.provider.option": "{name} — {cost}",
    "checkout.coupon": "Do you have a coupon? Send the code, or tap Skip.",
    "checkout.coupon.skip": "Skip",
    "checkout.coupon.ok": "Coupon {code}: you save {discount}.",
    "checkout.payment": "How would you like to pay?",
    "checkout.pay.card": "💳 Card",
    "checkout.pay.cod": "💵 Cash on delivery",
    "checkout.pay.bank_transfer": "🏦 Bank transfer",
    "checkout.pay.paypal": "🅿 PayPal",
    "checkout.summary": (
        "<b>Please confirm your order</b>\n{lines}\n\nSubtotal: {subtotal}\n"
        "Shipping ({provider}): {shipping}\nDiscount: −{discount}\n<b>Total: {total}</b>\n"
        "Payment: {method}\nDeliver to: {address}"
    ),
    "checkout.confirm": "✅ Place order",
    "checkout.placed": "Order #{order_id} is placed. Total {total}.",
    "checkout.invoice.title": "Order #{order_id}",
    "checkout.invoice.description": "{count} item(s) from the marketplace",
    "checkout.invoice.unavailable": (
        "Card payments are not set up in this shop yet. Please choose another way to pay."
    ),
    "checkout.cod": "You will pay {total} in cash when it arrives.",
    "checkout.bank": (
        "Please transfer {total} with the reference <code>{reference}</code>.\n{details}"
    ),
    "checkout.bank.default_details": "The shop will send you its bank details.",
    "payment.thanks": "Payment received for order #{order_id}. Thank you!",
    "payment.expired": "This order can no longer be paid. Please order again.",
    "payment.changed": "The amount changed. Please check your order again.",
    # --- orders ---
    "orders.title": "<b>Your orders</b>",
    "orders.none": "You have no orders yet.",
    "orders.line": "#{order_id} · {status} · {total}",
    "order.detail": (
        "<b>Order #{order_id}</b>\nStatus: {status}\nPayment: {payment} ({method})\n{lines}\n"
        "Total: <b>{total}</b>"
    ),
    "order.cancel": "✖ Cancel order",
    "order.cancelled": "Order #{order_id} is cancelled. {refund}",
    "order.refund_note": "What you paid is on its way back.",
    "order.track": "🚚 Track",
    "order.tracking": "<b>Delivery of order #{order_id}</b>\n{milestones}",
    "order.tracking.none": "No delivery news yet.",
    "status.pending": "waiting for payment",
    "status.paid": "paid, being prepared",
    "status.shipped": "on its way",
    "status.delivered": "delivered",
    "status.cancelled": "cancelled",
    "status.returned": "returned",
    "status.partially_refunded": "partly refunded",
    "status.refunded": "refunded",
    "status.failed": "failed",
    "milestone.order_received": "📥 Order received by the seller",
    "milestone.packed": "📦 Packed",
    "milestone.shipped": "🚚 Shipped",
    "milestone.in_transit": "🛣 In transit",
    "milestone.out_for_delivery": "🏃 Out for delivery",
    "milestone.delivered": "✅ Delivered",
    "milestone.failed": "⚠ Delivery failed",
    # --- errors (from DomainError codes) ---
    "error.domain_error": "That did not work. Nothing was changed.",
    "error.not_found": "Not found. It may have been removed, or it is not yours.",
    "error.forbidden": "You cannot do that.",
    "error.forbidden.admin_only": "Only the shop's admins can do that.",
    "error.forbidden.seller_only": "Only sellers can do that. Send /sell to open a store.",
    "error.forbidden.seller_not_active": "Your store is not active, so it cannot do that yet.",
    "error.banned": "Your account is blocked: {reason}.",
    "error.invalid_input": "That does not look right. Please check and try again.",
    "error.illegal_transition": "That is no longer possible for this order.",
    "error.insufficient_stock": "Sorry, only {available} left in stock.",
    "error.product_unavailable": "Sorry, this product is not sold at the moment.",
    "error.cart_empty": "Your cart is empty.",
    "error.cart_changed": "Your cart changed; please look at it again before paying.",
    "error.coupon.unknown": "There is no coupon {code}.",
    "error.coupon.disabled": "Coupon {code} is switched off.",
    "error.coupon.expired": "Coupon {code} has expired.",
    "error.coupon.not_started": "Coupon {code} is not valid yet.",
    "error.coupon.below_minimum": "Coupon {code} needs {short_by} more in your cart.",
    "error.coupon.used_up": "Coupon {code} has been used up.",
    "error.coupon.already_used": "You have already used coupon {code}.",
    "error.payment_mismatch": "That payment does not match the order.",
    "error.refund_too_large": "That is more than was paid.",
    "error.return.not_delivered": "Items can be returned once they are delivered.",
    "error.return.window_closed": "The return period for this order is over.",
    "error.return.too_many": "You cannot return more than you received.",
    "error.review_not_allowed": "You can review products you have received.",
    "error.provider_failed": "The payment provider did not answer. Please try again later.",
    "error.invalid.quantity.range": "Please choose a quantity from {min} to {max}.",
    "error.invalid.email.format": "That e-mail address does not look right.",
    "error.invalid.phone.format": "That phone number does not look right.",
}

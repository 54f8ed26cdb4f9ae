package demo

import (
	"context"
	"fmt"

	"github.com/sahayhq/sahay/internal/core"
)

// demoArticle is an article of the demo help center in its languages.
type demoArticle struct {
	category int
	internal bool
	pages    []string
	// text holds a title and a Markdown body per locale.
	text map[string][2]string
}

var demoCategories = []map[string]string{
	{"en": "Orders and delivery", "bn": "অর্ডার ও ডেলিভারি", "hi": "ऑर्डर और डिलीवरी"},
	{"en": "Returns and refunds", "bn": "ফেরত ও রিফান্ড", "hi": "वापसी और रिफंड"},
	{"en": "Payments", "bn": "পেমেন্ট", "hi": "भुगतान"},
}

var demoArticles = []demoArticle{
	{category: 0, pages: []string{"/demo*"}, text: map[string][2]string{
		"en": {"How long does delivery take?", "Orders inside Dhaka arrive in **1–2 days**, elsewhere in Bangladesh in **3–5 days**.\n\n" +
			"## Delivery charges\n\n- Inside Dhaka: 60 BDT\n- Outside Dhaka: 120 BDT\n- Free on orders over 2,000 BDT\n\n" +
			"You get an SMS with the tracking number when your parcel leaves our warehouse."},
		"bn": {"ডেলিভারিতে কত দিন লাগে?", "ঢাকার ভিতরে অর্ডার **১–২ দিনে** পৌঁছায়, বাংলাদেশের অন্য জায়গায় **৩–৫ দিনে**।\n\n" +
			"## ডেলিভারি চার্জ\n\n- ঢাকার ভিতরে: ৬০ টাকা\n- ঢাকার বাইরে: ১২০ টাকা\n- ২,০০০ টাকার বেশি অর্ডারে ফ্রি\n\n" +
			"পার্সেল আমাদের গুদাম থেকে রওনা হলে ট্র্যাকিং নম্বরসহ একটি এসএমএস পাবেন।"},
		"hi": {"डिलीवरी में कितना समय लगता है?", "ढाका के अंदर ऑर्डर **1–2 दिन** में, बांग्लादेश में बाकी जगह **3–5 दिन** में पहुँचते हैं।\n\n" +
			"## डिलीवरी शुल्क\n\n- ढाका के अंदर: 60 टका\n- ढाका के बाहर: 120 टका\n- 2,000 टका से ज़्यादा के ऑर्डर पर मुफ़्त\n\n" +
			"पार्सल गोदाम से निकलते ही आपको ट्रैकिंग नंबर के साथ एक एसएमएस मिलेगा।"},
	}},
	{category: 1, text: map[string][2]string{
		"en": {"How do I return an item?", "You can return an item within **7 days** of delivery, unused and in its box.\n\n" +
			"1. Write to us in the chat with your order number.\n2. We send a courier to collect it, free of charge.\n" +
			"3. Once we receive it, we refund you within 5–7 working days."},
		"bn": {"কীভাবে পণ্য ফেরত দেব?", "ডেলিভারির **৭ দিনের** মধ্যে অব্যবহৃত পণ্য বাক্সসহ ফেরত দিতে পারেন।\n\n" +
			"1. চ্যাটে অর্ডার নম্বরসহ আমাদের লিখুন।\n2. আমরা বিনা খরচে কুরিয়ার পাঠিয়ে পণ্যটি নিয়ে আসব।\n" +
			"3. পণ্য পাওয়ার পর ৫–৭ কার্যদিবসের মধ্যে টাকা ফেরত দেওয়া হয়।"},
		"hi": {"मैं सामान कैसे वापस करूँ?", "डिलीवरी के **7 दिन** के अंदर बिना इस्तेमाल किया सामान डिब्बे सहित वापस कर सकते हैं।\n\n" +
			"1. चैट में अपने ऑर्डर नंबर के साथ हमें लिखें।\n2. हम मुफ़्त में कूरियर भेजकर सामान ले लेंगे।\n" +
			"3. सामान मिलने के बाद 5–7 कार्यदिवस में रिफंड कर दिया जाता है।"},
	}},
	{category: 1, text: map[string][2]string{
		"en": {"When will I get my refund?", "Refunds reach you within **5–7 working days** of approval: bKash and Nagad refunds " +
			"usually within 2 days, card refunds as your bank processes them."},
		"bn": {"রিফান্ড কবে পাব?", "অনুমোদনের পর **৫–৭ কার্যদিবসের** মধ্যে রিফান্ড পৌঁছায়: বিকাশ ও নগদে সাধারণত ২ দিনে, " +
			"কার্ডে আপনার ব্যাংকের সময় অনুযায়ী।"},
	}},
	{category: 2, text: map[string][2]string{
		"en": {"Which payment methods do you accept?", "We accept **bKash**, **Nagad**, Visa and Mastercard cards, and " +
			"**cash on delivery** anywhere in Bangladesh."},
		"bn": {"কোন কোন পেমেন্ট পদ্ধতি নেওয়া হয়?", "আমরা **বিকাশ**, **নগদ**, ভিসা ও মাস্টারকার্ড এবং সারা বাংলাদেশে " +
			"**ক্যাশ অন ডেলিভারি** নিই।"},
		"hi": {"आप कौन-से भुगतान तरीके लेते हैं?", "हम **bKash**, **Nagad**, वीज़ा और मास्टरकार्ड कार्ड, और पूरे बांग्लादेश में " +
			"**कैश ऑन डिलीवरी** लेते हैं।"},
	}},
	{category: 1, internal: true, text: map[string][2]string{
		"en": {"Refund approval policy", "Agents approve refunds up to **5,000 BDT** themselves. Above that, assign the " +
			"conversation to the Billing team with the `refund` label. Never promise a refund before the item is collected."},
	}},
}

// seedHelpCenter writes the demo's help center: categories and published
// articles in English, Bengali and Hindi, and one internal policy.
func seedHelpCenter(ctx context.Context, svc *core.Service, a *core.Actor) error {
	var categories []int64
	for _, names := range demoCategories {
		c, err := svc.SaveKBCategory(ctx, a, 0, core.CategoryInput{Names: names, Position: ptr(len(categories))})
		if err != nil {
			return fmt.Errorf("demo: category: %w", err)
		}
		categories = append(categories, c.ID)
	}
	for i, art := range demoArticles {
		var id int64
		for _, locale := range []string{"en", "bn", "hi"} {
			text, ok := art.text[locale]
			if !ok {
				continue
			}
			in := core.TranslationInput{Title: ptr(text[0]), Body: ptr(text[1]), Status: ptr("published")}
			if id == 0 {
				pages := art.pages
				if pages == nil {
					pages = []string{}
				}
				created, err := svc.CreateKBArticle(ctx, a, core.ArticleInput{CategoryID: &categories[art.category],
					Internal: ptr(art.internal), Position: ptr(i), Pages: &pages, TranslationInput: in, Locale: ptr(locale)})
				if err != nil {
					return fmt.Errorf("demo: article: %w", err)
				}
				id = created.ID
				continue
			}
			if _, err := svc.SaveKBTranslation(ctx, a, id, locale, in); err != nil {
				return fmt.Errorf("demo: article: %w", err)
			}
		}
	}
	return nil
}

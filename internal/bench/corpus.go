// Package bench generates deterministic, realistic data for Sahay's
// benchmarks and for cmd/sahay-seed: support messages in English, Bengali
// and Hindi (with some romanized Banglish and Hinglish), search queries whose
// matches are known, and whole workspaces written through the store's own
// transaction methods, so that maintained counts stay exact.
//
// The same seed always yields the same data, so a database built once can be
// reused by later benchmark runs.
package bench

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Languages of generated messages. Banglish and Hinglish are Bengali and
// Hindi typed in Latin letters, as many customers do on their phones.
const (
	English  = "en"
	Bengali  = "bn"
	Hindi    = "hi"
	Banglish = "bn-Latn"
	Hinglish = "hi-Latn"
)

// mix is the share of each language among conversations, in percent.
var mix = []struct {
	lang  string
	share int
}{
	{English, 45},
	{Bengali, 30},
	{Hindi, 20},
	{Banglish, 3},
	{Hinglish, 2},
}

// phrases is what customers and agents say in one language. Slots in braces
// are filled from the lists below: {order} an order number, {product},
// {city}, {code} a discount code, {name} a first name.
type phrases struct {
	customer []string
	agent    []string
	greet    []string
	close    []string
	products []string
	cities   []string
	names    []string
}

var codes = []string{"EID25", "PUJA15", "DIWALI10", "NEWYEAR20", "FLASH50", "BOISHAKH12", "HOLI30", "FREESHIP"}

var languages = map[string]*phrases{
	English: {
		customer: []string{
			"Hi, my order {order} has not arrived yet. Can you check the delivery status?",
			"I want to return the {product} I bought last week, it is the wrong size.",
			"The payment went through twice for order {order}, please refund the extra amount.",
			"When will the {product} be back in stock?",
			"Do you deliver to {city}? How many days does shipping take?",
			"The {product} arrived damaged, the box was torn open.",
			"Can I change the delivery address to {city}?",
			"I was charged but never got a confirmation email.",
			"Thanks for the quick help, the issue is solved now.",
			"Is cash on delivery available in {city}?",
			"My account got locked after I reset the password.",
			"The discount code {code} is not working at checkout.",
			"Please cancel my order {order}, I placed it by mistake.",
			"What is the warranty on the {product}?",
			"The courier says my address is incomplete, but I gave the full address in {city}.",
			"I need an invoice for order {order} for my office.",
			"Your app crashes every time I open the cart.",
			"Could you share the tracking number for my parcel?",
			"The colour of the {product} looks different from the photo.",
			"It has been ten days and I still have not received my refund.",
			"Can I exchange the {product} for a bigger size?",
			"The delivery person asked for extra money, is that allowed?",
		},
		agent: []string{
			"Sorry for the trouble! I checked order {order} and it will reach you within 2 days.",
			"Thank you for waiting. Your refund for order {order} has been processed.",
			"I have updated the delivery address to {city} for you.",
			"The {product} will be back in stock next week, I can notify you.",
			"Please share a photo of the damaged {product} and we will send a replacement.",
			"Your return pickup is scheduled for tomorrow between 10 am and 2 pm.",
			"The code {code} has expired, but I have applied a similar discount to your order.",
			"I have unlocked your account, please try logging in again.",
		},
		greet:    []string{"Hello,", "Hi,", "Hey team,", "Good morning,", "Hi there,"},
		close:    []string{"Thanks.", "Please help.", "Waiting for your reply.", "Regards, {name}.", "Thank you!"},
		products: []string{"saree", "kurta", "phone cover", "headphones", "rice cooker", "blender", "school bag", "sneakers", "smartwatch", "water bottle", "bedsheet", "power bank", "lehenga", "mixer grinder", "table lamp", "backpack", "wallet", "sunglasses", "charger", "laptop stand"},
		cities:   []string{"Dhaka", "Chittagong", "Sylhet", "Khulna", "Rajshahi", "Kolkata", "Delhi", "Mumbai", "Patna", "Lucknow", "Jaipur", "Pune", "Siliguri", "Guwahati"},
		names:    []string{"Rahim", "Priya", "Arjun", "Fatima", "Sourav", "Neha", "Tanvir", "Anjali", "Imran", "Kavya", "Joy", "Sara"},
	},
	Bengali: {
		customer: []string{
			"আমার অর্ডার {order} এখনো আসেনি, একটু দেখবেন?",
			"গত সপ্তাহে কেনা {product} ফেরত দিতে চাই, সাইজ ঠিক হয়নি।",
			"টাকা দুইবার কেটে নিয়েছে, অতিরিক্ত টাকা ফেরত দিন।",
			"{product} আবার কবে স্টকে আসবে?",
			"{city} তে ডেলিভারি দেন? কত দিন লাগবে?",
			"প্যাকেট ছেঁড়া ছিল, {product} ভাঙা অবস্থায় পেয়েছি।",
			"ডেলিভারির ঠিকানা বদলে {city} করা যাবে?",
			"পেমেন্ট হয়েছে কিন্তু কোনো কনফার্মেশন পাইনি।",
			"ধন্যবাদ, সমস্যার সমাধান হয়েছে।",
			"{city} তে ক্যাশ অন ডেলিভারি আছে কি?",
			"পাসওয়ার্ড বদলানোর পর আমার অ্যাকাউন্ট বন্ধ হয়ে গেছে।",
			"ডিসকাউন্ট কোড {code} কাজ করছে না।",
			"অর্ডার {order} বাতিল করে দিন, ভুল করে অর্ডার করেছি।",
			"{product} এর ওয়ারেন্টি কত দিনের?",
			"কুরিয়ার বলছে ঠিকানা অসম্পূর্ণ, কিন্তু আমি পুরো ঠিকানা দিয়েছি।",
			"অফিসের জন্য অর্ডার {order} এর রসিদ লাগবে।",
			"পার্সেলের ট্র্যাকিং নম্বর দিতে পারবেন?",
			"ছবির সাথে {product} এর রং মিলছে না।",
			"দশ দিন হয়ে গেল, এখনো টাকা ফেরত পাইনি।",
			"খুব জরুরি, আজকের মধ্যে জানাবেন প্লিজ।",
			"{product} বদলে বড় সাইজ নেওয়া যাবে?",
		},
		agent: []string{
			"দুঃখিত, অর্ডার {order} দেখেছি, দুই দিনের মধ্যে পৌঁছে যাবে।",
			"অপেক্ষার জন্য ধন্যবাদ, অর্ডার {order} এর টাকা ফেরত দেওয়া হয়েছে।",
			"ঠিকানা বদলে {city} করে দিয়েছি।",
			"{product} আগামী সপ্তাহে স্টকে আসবে, আপনাকে জানিয়ে দেব।",
			"ভাঙা {product} এর একটা ছবি পাঠান, আমরা নতুন একটা পাঠিয়ে দেব।",
			"আগামীকাল সকাল ১০টা থেকে দুপুর ২টার মধ্যে ফেরত নিতে লোক যাবে।",
		},
		greet:    []string{"হ্যালো,", "আসসালামু আলাইকুম,", "নমস্কার,", "শুভ সকাল,", "ভাইয়া,"},
		close:    []string{"ধন্যবাদ।", "একটু সাহায্য করুন।", "উত্তরের অপেক্ষায় আছি।", "ইতি {name}।"},
		products: []string{"শাড়ি", "পাঞ্জাবি", "হেডফোন", "রাইস কুকার", "ব্লেন্ডার", "স্কুল ব্যাগ", "জুতা", "স্মার্টওয়াচ", "পানির বোতল", "বিছানার চাদর", "পাওয়ার ব্যাংক", "চার্জার", "মানিব্যাগ", "সানগ্লাস", "থ্রি পিস", "লুঙ্গি"},
		cities:   []string{"ঢাকা", "চট্টগ্রাম", "সিলেট", "খুলনা", "রাজশাহী", "কলকাতা", "বরিশাল", "রংপুর", "ময়মনসিংহ", "কুমিল্লা"},
		names:    []string{"রহিম", "ফাতেমা", "সৌরভ", "তানভীর", "নুসরাত", "অর্পিতা", "জয়", "সাকিব"},
	},
	Hindi: {
		customer: []string{
			"मेरा ऑर्डर {order} अभी तक नहीं आया, कृपया स्टेटस बताइए।",
			"पिछले हफ्ते खरीदा {product} वापस करना है, साइज़ गलत है।",
			"पैसे दो बार कट गए, अतिरिक्त रकम वापस कीजिए।",
			"{product} फिर से स्टॉक में कब आएगा?",
			"क्या आप {city} में डिलीवरी करते हैं? कितने दिन लगेंगे?",
			"डिब्बा फटा हुआ था, {product} टूटा हुआ मिला।",
			"डिलीवरी का पता बदलकर {city} कर सकते हैं?",
			"पेमेंट हो गया लेकिन कोई कन्फर्मेशन ईमेल नहीं मिला।",
			"धन्यवाद, समस्या हल हो गई।",
			"क्या {city} में कैश ऑन डिलीवरी उपलब्ध है?",
			"पासवर्ड बदलने के बाद मेरा अकाउंट लॉक हो गया।",
			"डिस्काउंट कोड {code} काम नहीं कर रहा।",
			"कृपया ऑर्डर {order} रद्द कर दीजिए, गलती से ऑर्डर हो गया।",
			"{product} की वारंटी कितने समय की है?",
			"कूरियर कह रहा है पता अधूरा है, पर मैंने पूरा पता दिया था।",
			"ऑफिस के लिए ऑर्डर {order} का बिल चाहिए।",
			"मेरे पार्सल का ट्रैकिंग नंबर भेज दीजिए।",
			"{product} का रंग फोटो से अलग है।",
			"दस दिन हो गए, अभी तक रिफंड नहीं मिला।",
			"बहुत ज़रूरी है, आज ही बताइए।",
			"आपका ऐप कार्ट खोलते ही बंद हो जाता है।",
		},
		agent: []string{
			"असुविधा के लिए खेद है, ऑर्डर {order} दो दिन में पहुँच जाएगा।",
			"इंतज़ार के लिए धन्यवाद, ऑर्डर {order} का रिफंड हो गया है।",
			"मैंने डिलीवरी का पता बदलकर {city} कर दिया है।",
			"{product} अगले हफ्ते स्टॉक में आएगा, हम आपको बता देंगे।",
			"टूटे हुए {product} की फोटो भेजिए, हम नया भेज देंगे।",
			"कल सुबह १० बजे से दोपहर २ बजे के बीच पिकअप होगा।",
		},
		greet:    []string{"नमस्ते,", "हेलो,", "सुप्रभात,", "भैया,", "जी,"},
		close:    []string{"धन्यवाद।", "कृपया मदद कीजिए।", "जवाब का इंतज़ार है।", "{name}"},
		products: []string{"साड़ी", "कुर्ता", "हेडफ़ोन", "राइस कुकर", "मिक्सर ग्राइंडर", "स्कूल बैग", "जूते", "स्मार्टवॉच", "पानी की बोतल", "चादर", "पावर बैंक", "चार्जर", "बटुआ", "धूप का चश्मा", "लहंगा"},
		cities:   []string{"दिल्ली", "मुंबई", "पटना", "लखनऊ", "जयपुर", "पुणे", "कोलकाता", "भोपाल", "इंदौर", "वाराणसी"},
		names:    []string{"राहुल", "प्रिया", "अर्जुन", "नेहा", "विकास", "अंजलि", "रोहित", "पूजा"},
	},
	Banglish: {
		customer: []string{
			"amar order {order} ekhono ashe nai, ektu dekhben?",
			"{product} ta ferot dite chai, size thik hoy nai",
			"delivery kobe pabo bhai?",
			"taka duibar kete niyeche, refund koren plz",
			"{city} te cash on delivery ache?",
			"code {code} kaj korche na keno?",
		},
		agent: []string{
			"sorry bhaiya, order {order} dui diner moddhe pouche jabe",
			"apnar refund kore deya hoyeche",
		},
		greet:    []string{"hello", "bhai,", "apu,", "assalamualaikum"},
		close:    []string{"thanks", "plz help", "{name}"},
		products: []string{"saree", "panjabi", "headphone", "juta", "charger", "three piece"},
		cities:   []string{"dhaka", "ctg", "sylhet", "khulna"},
		names:    []string{"rahim", "nusrat", "joy"},
	},
	Hinglish: {
		customer: []string{
			"mera order {order} abhi tak nahi aaya, check karo please",
			"{product} return karna hai, size galat hai",
			"delivery kab tak hogi bhaiya?",
			"paise do baar kat gaye, refund kar do",
			"{city} mein COD milega kya?",
			"code {code} kaam nahi kar raha",
		},
		agent: []string{
			"sorry ji, order {order} do din mein pahunch jayega",
			"aapka refund ho gaya hai",
		},
		greet:    []string{"hello", "bhaiya,", "hi ji,"},
		close:    []string{"thanks", "jaldi batao", "{name}"},
		products: []string{"saree", "kurta", "headphone", "jute", "charger", "lehenga"},
		cities:   []string{"delhi", "mumbai", "patna", "pune"},
		names:    []string{"rahul", "neha", "vikas"},
	},
}

// Corpus draws messages. It is not safe for concurrent use; give each
// goroutine its own.
type Corpus struct {
	rng *rand.Rand
}

// NewCorpus returns a corpus whose output depends only on seed.
func NewCorpus(seed uint64) *Corpus {
	return &Corpus{rng: rand.New(rand.NewPCG(seed, 0x5a4a7))}
}

// Rand is the corpus's random source, for callers that draw their own
// choices in step with it.
func (c *Corpus) Rand() *rand.Rand { return c.rng }

// Language draws a conversation language from the mix: 45% English, 30%
// Bengali, 20% Hindi, 3% Banglish, 2% Hinglish.
func (c *Corpus) Language() string {
	n := c.rng.IntN(100)
	for _, m := range mix {
		if n < m.share {
			return m.lang
		}
		n -= m.share
	}
	return English
}

// Script is the script code of a language, as textnorm.DetectScript names
// it and conversations store it.
func Script(lang string) string {
	switch lang {
	case Bengali:
		return "bn"
	case Hindi:
		return "hi"
	}
	return "en"
}

// Customer returns a customer's message in lang: one or two sentences,
// sometimes with a greeting or a sign-off.
func (c *Corpus) Customer(lang string) string {
	p := languages[lang]
	var parts []string
	if c.rng.IntN(3) == 0 {
		parts = append(parts, c.pick(p.greet))
	}
	parts = append(parts, c.fill(p, c.pick(p.customer)))
	if c.rng.IntN(4) == 0 {
		parts = append(parts, c.fill(p, c.pick(p.customer)))
	}
	if c.rng.IntN(4) == 0 {
		parts = append(parts, c.fill(p, c.pick(p.close)))
	}
	return strings.Join(parts, " ")
}

// Agent returns an agent's reply in lang.
func (c *Corpus) Agent(lang string) string {
	p := languages[lang]
	return c.fill(p, c.pick(p.agent))
}

func (c *Corpus) pick(list []string) string { return list[c.rng.IntN(len(list))] }

func (c *Corpus) fill(p *phrases, s string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	r := strings.NewReplacer(
		"{order}", fmt.Sprintf("#%d", 100000+c.rng.IntN(900000)),
		"{product}", c.pick(p.products),
		"{city}", c.pick(p.cities),
		"{code}", c.pick(codes),
		"{name}", c.pick(p.names),
	)
	return r.Replace(s)
}

/** Words the demo generator builds its world from. */

export const FIRST_NAMES = [
  'Ava', 'Ben', 'Chloe', 'David', 'Emma', 'Felix', 'Grace', 'Hugo', 'Isla', 'Jonas', 'Klara', 'Liam', 'Mia', 'Noah',
  'Olivia', 'Paul', 'Quinn', 'Rosa', 'Sam', 'Tara', 'Umar', 'Vera', 'Will', 'Xenia', 'Yusuf', 'Zoe', 'Amir', 'Bianca',
  'Carlos', 'Daria', 'Elif', 'Finn', 'Giulia', 'Hannah', 'Ivan', 'Julia', 'Kenji', 'Lena', 'Mateo', 'Nora', 'Omar',
  'Pia', 'Rafael', 'Sofia', 'Theo', 'Ula', 'Victor', 'Wen', 'Yara', 'Zain',
] as const;

export const LAST_NAMES = [
  'Andersen', 'Bauer', 'Costa', 'Dubois', 'Eriksson', 'Fischer', 'Garcia', 'Hansen', 'Ivanova', 'Jansen', 'Kowalski',
  'Lopez', 'Martin', 'Nowak', 'Olsen', 'Petit', 'Quintero', 'Rossi', 'Schmidt', 'Thomas', 'Urban', 'Vogel', 'Weber',
  'Young', 'Zimmermann', 'Almeida', 'Berg', 'Conti', 'Dahl', 'Esposito', 'Fontaine', 'Gruber', 'Horvat', 'Ionescu',
  'Jovanovic', 'Keller', 'Lindqvist', 'Moreau', 'Novak', 'Okafor',
] as const;

export interface City {
  city: string;
  region: string;
  country: string;
  latitude: number;
  longitude: number;
  /** Relative population, for weighting where people live and stores open. */
  weight: number;
}

export const CITIES: readonly City[] = [
  { city: 'Berlin', region: 'Berlin', country: 'DE', latitude: 52.52, longitude: 13.405, weight: 9 },
  { city: 'Hamburg', region: 'Hamburg', country: 'DE', latitude: 53.551, longitude: 9.994, weight: 5 },
  { city: 'Munich', region: 'Bavaria', country: 'DE', latitude: 48.137, longitude: 11.575, weight: 5 },
  { city: 'Cologne', region: 'North Rhine-Westphalia', country: 'DE', latitude: 50.938, longitude: 6.96, weight: 4 },
  { city: 'Paris', region: 'Ile-de-France', country: 'FR', latitude: 48.857, longitude: 2.352, weight: 9 },
  { city: 'Lyon', region: 'Auvergne-Rhone-Alpes', country: 'FR', latitude: 45.764, longitude: 4.836, weight: 4 },
  { city: 'Marseille', region: "Provence-Alpes-Cote d'Azur", country: 'FR', latitude: 43.296, longitude: 5.37, weight: 4 },
  { city: 'Amsterdam', region: 'North Holland', country: 'NL', latitude: 52.368, longitude: 4.904, weight: 5 },
  { city: 'Rotterdam', region: 'South Holland', country: 'NL', latitude: 51.924, longitude: 4.478, weight: 3 },
  { city: 'Madrid', region: 'Community of Madrid', country: 'ES', latitude: 40.417, longitude: -3.704, weight: 7 },
  { city: 'Barcelona', region: 'Catalonia', country: 'ES', latitude: 41.385, longitude: 2.173, weight: 6 },
  { city: 'Milan', region: 'Lombardy', country: 'IT', latitude: 45.464, longitude: 9.19, weight: 6 },
  { city: 'Rome', region: 'Lazio', country: 'IT', latitude: 41.903, longitude: 12.496, weight: 6 },
  { city: 'Vienna', region: 'Vienna', country: 'AT', latitude: 48.208, longitude: 16.373, weight: 4 },
  { city: 'Copenhagen', region: 'Capital Region', country: 'DK', latitude: 55.676, longitude: 12.568, weight: 3 },
  { city: 'Stockholm', region: 'Stockholm County', country: 'SE', latitude: 59.329, longitude: 18.069, weight: 4 },
  { city: 'Warsaw', region: 'Masovia', country: 'PL', latitude: 52.23, longitude: 21.012, weight: 4 },
  { city: 'Lisbon', region: 'Lisbon', country: 'PT', latitude: 38.722, longitude: -9.139, weight: 3 },
  { city: 'Brussels', region: 'Brussels-Capital', country: 'BE', latitude: 50.85, longitude: 4.352, weight: 3 },
  { city: 'Zurich', region: 'Zurich', country: 'CH', latitude: 47.377, longitude: 8.541, weight: 3 },
];

/** Categories with their subcategories, typical price range and popularity. */
export const CATEGORIES: ReadonlyArray<{ category: string; subcategories: readonly string[]; price: [number, number]; weight: number }> = [
  { category: 'Kitchen', subcategories: ['Cookware', 'Small appliances', 'Cutlery', 'Storage'], price: [6, 240], weight: 6 },
  { category: 'Home', subcategories: ['Bedding', 'Lighting', 'Decor', 'Bath'], price: [5, 180], weight: 5 },
  { category: 'Electronics', subcategories: ['Audio', 'Phones', 'Accessories', 'Smart home'], price: [9, 900], weight: 4 },
  { category: 'Apparel', subcategories: ['Women', 'Men', 'Kids', 'Shoes'], price: [8, 160], weight: 7 },
  { category: 'Beauty', subcategories: ['Skincare', 'Haircare', 'Fragrance', 'Makeup'], price: [4, 120], weight: 5 },
  { category: 'Sports', subcategories: ['Fitness', 'Outdoor', 'Cycling', 'Team sports'], price: [7, 450], weight: 3 },
  { category: 'Toys', subcategories: ['Building', 'Games', 'Plush', 'Outdoor play'], price: [5, 140], weight: 3 },
  { category: 'Grocery', subcategories: ['Coffee & tea', 'Snacks', 'Pantry', 'Drinks'], price: [2, 40], weight: 6 },
];

export const BRANDS = [
  'Northwind', 'Contoso', 'Fabrikam', 'Tailspin', 'Lumen', 'Alder & Co', 'Brightline', 'Kestrel', 'Meridian', 'Oakridge',
  'Polaris', 'Quayside', 'Riverstone', 'Solstice', 'Tundra', 'Verano', 'Wildflower', 'Zephyr', 'House brand',
] as const;

export const PRODUCT_NOUNS: Record<string, readonly string[]> = {
  Kitchen: ['pan', 'kettle', 'knife set', 'blender', 'toaster', 'jar', 'chopping board', 'espresso maker'],
  Home: ['duvet', 'lamp', 'vase', 'towel set', 'cushion', 'candle', 'rug', 'mirror'],
  Electronics: ['headphones', 'speaker', 'charger', 'phone case', 'smart plug', 'earbuds', 'power bank', 'cable'],
  Apparel: ['t-shirt', 'jeans', 'jacket', 'sneakers', 'dress', 'hoodie', 'scarf', 'boots'],
  Beauty: ['face cream', 'shampoo', 'perfume', 'lipstick', 'serum', 'conditioner', 'mascara', 'body lotion'],
  Sports: ['yoga mat', 'tent', 'bike light', 'football', 'dumbbells', 'backpack', 'water bottle', 'helmet'],
  Toys: ['building set', 'board game', 'teddy bear', 'kite', 'puzzle', 'toy car', 'doll', 'ball pit'],
  Grocery: ['coffee beans', 'green tea', 'crackers', 'olive oil', 'sparkling water', 'pasta', 'chocolate', 'granola'],
};

export const ADJECTIVES = ['Classic', 'Everyday', 'Premium', 'Compact', 'Organic', 'Pro', 'Essential', 'Deluxe', 'Eco', 'Mini'] as const;

export const LIFESTYLES = ['budget-conscious', 'trend-seeker', 'family-focused', 'health-oriented', 'tech-enthusiast', 'eco-minded', 'premium-loyal'] as const;

export const MEDIA_CHANNELS: ReadonlyArray<{ name: string; type: 'paid' | 'owned' | 'earned'; category: string }> = [
  { name: 'Google Search', type: 'paid', category: 'search' },
  { name: 'Bing Search', type: 'paid', category: 'search' },
  { name: 'Meta Ads', type: 'paid', category: 'social' },
  { name: 'TikTok Ads', type: 'paid', category: 'social' },
  { name: 'Display Network', type: 'paid', category: 'display' },
  { name: 'Affiliate Partners', type: 'paid', category: 'affiliate' },
  { name: 'Newsletter', type: 'owned', category: 'email' },
  { name: 'Web Shop', type: 'owned', category: 'web' },
  { name: 'Mobile App', type: 'owned', category: 'app' },
  { name: 'Stores', type: 'owned', category: 'store' },
  { name: 'Organic Social', type: 'earned', category: 'social' },
  { name: 'Press & Reviews', type: 'earned', category: 'display' },
];

export const SEGMENTS: ReadonlyArray<{ name: string; definition: string }> = [
  { name: 'New customers', definition: 'signed up in the last 90 days' },
  { name: 'VIP', definition: 'top 5% by net revenue in the last 12 months' },
  { name: 'Lapsing', definition: 'no order for 120 days after at least two orders' },
  { name: 'Deal hunters', definition: 'more than half of orders used an offer' },
  { name: 'Families', definition: 'bought Toys or Kids apparel twice in 6 months' },
  { name: 'Tech lovers', definition: 'Electronics share of spend above 40%' },
  { name: 'Beauty regulars', definition: 'Beauty order every 60 days or more often' },
  { name: 'Newsletter engaged', definition: 'opened 3 or more newsletters in 30 days' },
  { name: 'App users', definition: 'ordered through the app in the last 90 days' },
  { name: 'Store only', definition: 'all orders in stores' },
  { name: 'Outdoor active', definition: 'bought Sports/Outdoor twice in 12 months' },
  { name: 'Gift buyers', definition: 'ordered in December with gift wrapping' },
];

export const RETURN_REASONS = ['damaged', 'wrong size', 'not as described', 'changed mind', 'late delivery'] as const;

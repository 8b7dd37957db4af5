import { Random } from './random.js';
import { dateOf, timestampOf } from './demo-calendar.js';
import {
  ADJECTIVES,
  BRANDS,
  CATEGORIES,
  CITIES,
  FIRST_NAMES,
  LAST_NAMES,
  LIFESTYLES,
  MEDIA_CHANNELS,
  PRODUCT_NOUNS,
  SEGMENTS,
  type City,
} from './vocabulary.js';

/**
 * The static part of the demo world (products, locations, channels, campaigns, offers,
 * segments) and the life of every customer, all derived from the seed and scale alone.
 */

/** Days the world's schedules (changes, campaigns) are drawn over. */
export const HORIZON_DAYS = 3 * 365;

export interface DemoSizes {
  products: number;
  stores: number;
  warehouses: number;
  initialCustomers: number;
  signupsPerDay: number;
  ordersPerDay: number;
  interactionsPerDay: number;
  campaigns: number;
}

/**
 * How big the world is at a scale. Transactions grow linearly (scale 1: about a million
 * order lines a year); products and locations grow with the square root, because stock is
 * tracked per product and location and would otherwise grow with the square of the scale.
 */
export function sizesFor(scale: number): DemoSizes {
  const root = Math.sqrt(scale);
  return {
    products: Math.max(40, Math.round(1200 * root)),
    stores: Math.max(3, Math.round(30 * root)),
    warehouses: Math.max(1, Math.round(3 * root)),
    initialCustomers: Math.max(200, Math.round(60_000 * scale)),
    signupsPerDay: Math.max(1, Math.round(110 * scale)),
    ordersPerDay: 1100 * scale,
    interactionsPerDay: 3300 * scale,
    campaigns: Math.max(16, Math.round(30 * root)),
  };
}

export interface ProductVersion {
  day: number;
  listPrice: number;
  unitCost: number;
  status: 'active' | 'discontinued';
}

export interface Product {
  id: number;
  sku: string;
  name: string;
  category: string;
  subcategory: string;
  brand: string;
  launchedAt: string;
  /** Versions by day; the first is in force from before the epoch. */
  versions: ProductVersion[];
}

export interface Location {
  id: number;
  name: string;
  type: 'store' | 'warehouse';
  city: City;
  openedAt: string;
}

export interface Campaign {
  id: number;
  name: string;
  channelId: number;
  objective: string;
  startDay: number;
  endDay: number;
  budget: number;
}

export interface Offer {
  id: number;
  name: string;
  campaignId: number;
  discountType: 'percent' | 'amount';
  discountValue: number;
  fromDay: number;
  toDay: number;
  scope: 'all' | 'category' | 'product';
  scopeCategory: string | null;
  scopeProductId: number | null;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export class DemoWorld {
  readonly sizes: DemoSizes;
  readonly products: Product[];
  readonly locations: Location[];
  readonly campaigns: Campaign[];
  readonly offers: Offer[];
  /** For each store id: the product ids it carries, most popular first. */
  readonly assortments = new Map<number, number[]>();
  private readonly offersByDay = new Map<number, Offer[]>();
  private readonly customerCache = new Map<number, Customer>();

  constructor(
    readonly seed: number,
    readonly scale: number,
  ) {
    this.sizes = sizesFor(scale);
    this.products = this.makeProducts();
    this.locations = this.makeLocations();
    this.campaigns = this.makeCampaigns();
    this.offers = this.makeOffers();
    for (const store of this.stores()) {
      const random = Random.for(seed, 'assortment', store.id);
      this.assortments.set(store.id, this.products.filter(() => random.chance(0.3)).map((p) => p.id));
    }
  }

  stores(): Location[] {
    return this.locations.filter((l) => l.type === 'store');
  }

  warehouses(): Location[] {
    return this.locations.filter((l) => l.type === 'warehouse');
  }

  /** The version of a product in force on a day. */
  productOn(productId: number, day: number): ProductVersion {
    const versions = this.products[productId - 1]!.versions;
    let current = versions[0]!;
    for (const v of versions) if (v.day <= day) current = v;
    return current;
  }

  /** Offers valid on a day that apply to a product. */
  offersFor(product: Product, day: number): Offer[] {
    let valid = this.offersByDay.get(day);
    if (!valid) {
      valid = this.offers.filter((o) => o.fromDay <= day && day <= o.toDay);
      this.offersByDay.set(day, valid);
    }
    return valid.filter(
      (o) => o.scope === 'all' || (o.scope === 'category' && o.scopeCategory === product.category) || (o.scope === 'product' && o.scopeProductId === product.id),
    );
  }

  campaignsOn(day: number): Campaign[] {
    return this.campaigns.filter((c) => c.startDay <= day && day <= c.endDay);
  }

  /** Customers that exist (signed up) by the end of a day. */
  customersBy(day: number): number {
    return this.sizes.initialCustomers + Math.max(0, day + 1) * this.sizes.signupsPerDay;
  }

  customer(id: number): Customer {
    let customer = this.customerCache.get(id);
    if (!customer) {
      customer = new Customer(this.seed, id, this.sizes);
      this.customerCache.set(id, customer);
    }
    return customer;
  }

  private makeProducts(): Product[] {
    const products: Product[] = [];
    for (let id = 1; id <= this.sizes.products; id++) {
      const random = Random.for(this.seed, 'product', id);
      const category = random.weighted(CATEGORIES.map((c) => [c, c.weight] as const));
      const [low, high] = category.price;
      const price = Math.floor(low + (high - low) * random.next() ** 2.2) + 0.99;
      const noun = random.pick(PRODUCT_NOUNS[category.category]!);
      const brand = random.pick(BRANDS);
      const versions: ProductVersion[] = [{ day: -1, listPrice: price, unitCost: round2(price * (0.35 + 0.35 * random.next())), status: 'active' }];
      const changes = random.poisson(1.2);
      const changeDays = Array.from({ length: changes }, () => random.int(0, HORIZON_DAYS)).sort((a, b) => a - b);
      for (const day of changeDays) {
        const previous = versions[versions.length - 1]!;
        if (previous.status === 'discontinued') break;
        if (day === previous.day) continue; // one version a day: the ERP records a change per day
        const discontinue = random.chance(0.1);
        const newPrice = Math.max(0.99, round2(previous.listPrice * (0.9 + 0.25 * random.next())));
        versions.push({ day, listPrice: newPrice, unitCost: round2(Math.min(previous.unitCost * (0.97 + 0.08 * random.next()), newPrice * 0.9)), status: discontinue ? 'discontinued' : 'active' });
      }
      products.push({
        id,
        sku: `SKU-${String(id).padStart(6, '0')}`,
        name: `${brand} ${random.pick(ADJECTIVES)} ${noun}`,
        category: category.category,
        subcategory: random.pick(category.subcategories),
        brand,
        launchedAt: dateOf(-random.int(30, 1500)),
        versions,
      });
    }
    return products;
  }

  private makeLocations(): Location[] {
    const random = Random.for(this.seed, 'locations');
    const cityWeights = CITIES.map((c) => [c, c.weight] as const);
    const locations: Location[] = [];
    for (let i = 0; i < this.sizes.warehouses; i++) {
      const city = random.weighted(cityWeights);
      locations.push({ id: locations.length + 1, name: `${city.city} Distribution Centre ${i + 1}`, type: 'warehouse', city, openedAt: dateOf(-random.int(800, 4000)) });
    }
    for (let i = 0; i < this.sizes.stores; i++) {
      const city = random.weighted(cityWeights);
      locations.push({ id: locations.length + 1, name: `${city.city} Store ${i + 1}`, type: 'store', city, openedAt: dateOf(-random.int(60, 4000)) });
    }
    return locations;
  }

  private makeCampaigns(): Campaign[] {
    const random = Random.for(this.seed, 'campaigns');
    const marketable = MEDIA_CHANNELS.map((c, i) => ({ ...c, id: i + 1 })).filter((c) => c.type !== 'earned' && c.category !== 'store');
    const campaigns: Campaign[] = [];
    const perYear = this.sizes.campaigns;
    const total = Math.round((perYear * (HORIZON_DAYS + 60)) / 365);
    for (let id = 1; id <= total; id++) {
      const channel = random.pick(marketable);
      const startDay = random.int(-60, HORIZON_DAYS);
      const objective = random.pick(['awareness', 'acquisition', 'retention', 'promotion']);
      campaigns.push({
        id,
        name: `${objective[0]!.toUpperCase()}${objective.slice(1)} ${channel.name} ${dateOf(startDay).slice(0, 7)} #${id}`,
        channelId: channel.id,
        objective,
        startDay,
        endDay: startDay + random.int(14, 60),
        budget: round2(random.int(2, 60) * 1000 * Math.max(0.2, Math.sqrt(this.scale))),
      });
    }
    return campaigns.sort((a, b) => a.startDay - b.startDay || a.id - b.id);
  }

  private makeOffers(): Offer[] {
    const offers: Offer[] = [];
    for (const campaign of [...this.campaigns].sort((a, b) => a.id - b.id)) {
      const random = Random.for(this.seed, 'offers', campaign.id);
      if (campaign.objective !== 'promotion' && !random.chance(0.4)) continue;
      const count = random.int(1, 3);
      for (let i = 0; i < count; i++) {
        const percent = random.chance(0.7);
        const value = percent ? random.pick([10, 15, 20, 25, 30]) : random.pick([2, 5, 10, 15]);
        const scope = random.weighted([['all', 3], ['category', 4], ['product', 3]] as const);
        const product = this.products[random.skewed(this.products.length)]!;
        const category = random.pick(CATEGORIES).category;
        const target = scope === 'all' ? 'everything' : scope === 'category' ? category : product.name;
        offers.push({
          id: offers.length + 1,
          name: `${value}${percent ? '%' : ' EUR'} off ${target}`,
          campaignId: campaign.id,
          discountType: percent ? 'percent' : 'amount',
          discountValue: value,
          fromDay: campaign.startDay,
          toDay: campaign.endDay,
          scope,
          scopeCategory: scope === 'category' ? category : null,
          scopeProductId: scope === 'product' ? product.id : null,
        });
      }
    }
    return offers;
  }
}

export interface CustomerVersion {
  day: number;
  city: City;
  email: string;
  lifestyle: string;
  deleted: boolean;
}

export interface Membership {
  segmentId: number;
  fromDay: number;
  toDay: number | null;
}

/** One customer's whole life in the CRM, drawn from the seed and its id. */
export class Customer {
  readonly firstName: string;
  readonly lastName: string;
  readonly birthDate: string | null;
  readonly gender: string | null;
  /** Day of signup (negative: before the epoch). */
  readonly signupDay: number;
  readonly signupSeconds: number;
  readonly versions: CustomerVersion[];
  readonly memberships: Membership[];
  /** Day the customer joined the loyalty programme, if ever. */
  readonly enrolledDay: number | null;
  /** How much the customer buys, relative to others. */
  readonly activity: number;

  constructor(seed: number, readonly id: number, sizes: DemoSizes) {
    const random = Random.for(seed, 'customer', id);
    this.firstName = random.pick(FIRST_NAMES);
    this.lastName = random.pick(LAST_NAMES);
    this.birthDate = random.chance(0.9) ? dateOf(-random.int(18 * 365, 80 * 365)) : null;
    this.gender = random.weighted([['f', 48], ['m', 46], ['x', 2], [null, 4]] as const);
    this.signupDay = id <= sizes.initialCustomers ? -random.int(1, 1500) : Math.floor((id - sizes.initialCustomers - 1) / sizes.signupsPerDay);
    this.signupSeconds = random.int(7 * 3600, 23 * 3600);
    this.activity = 0.2 + random.next() ** 3 * 4;
    const cityWeights = CITIES.map((c) => [c, c.weight] as const);
    const handle = `${this.firstName}.${this.lastName}${id}`.toLowerCase();
    const first: CustomerVersion = {
      day: this.signupDay,
      city: random.weighted(cityWeights),
      email: `${handle}@${random.pick(['mail.example', 'post.example', 'inbox.example'])}`,
      lifestyle: random.pick(LIFESTYLES),
      deleted: false,
    };
    this.versions = [first];
    const changes = random.poisson(1.1);
    const days = Array.from({ length: changes }, () => random.int(this.signupDay + 1, HORIZON_DAYS)).sort((a, b) => a - b);
    for (const day of days) {
      const previous = this.versions[this.versions.length - 1]!;
      if (previous.deleted || day === previous.day) continue;
      const what = random.weighted([['move', 5], ['lifestyle', 3], ['email', 2], ['delete', 0.3]] as const);
      this.versions.push({
        ...previous,
        day,
        city: what === 'move' ? random.weighted(cityWeights) : previous.city,
        lifestyle: what === 'lifestyle' ? random.pick(LIFESTYLES) : previous.lifestyle,
        email: what === 'email' ? `${handle}.${day}@${random.pick(['mail.example', 'post.example'])}` : previous.email,
        deleted: what === 'delete',
      });
    }
    this.memberships = [];
    const joins = 1 + random.poisson(0.8);
    for (let i = 0; i < joins; i++) {
      const segmentId = random.int(1, SEGMENTS.length);
      if (this.memberships.some((m) => m.segmentId === segmentId)) continue;
      const fromDay = i === 0 ? this.signupDay : random.int(this.signupDay, HORIZON_DAYS);
      const toDay = random.chance(0.35) ? fromDay + random.int(30, 400) : null;
      this.memberships.push({ segmentId, fromDay, toDay });
    }
    this.enrolledDay = random.chance(0.4) ? this.signupDay + random.int(0, 200) : null;
  }

  /** The version in force at the end of a day. */
  versionOn(day: number): CustomerVersion {
    let current = this.versions[0]!;
    for (const v of this.versions) if (v.day <= day) current = v;
    return current;
  }

  signupAt(): string {
    return timestampOf(this.signupDay, this.signupSeconds);
  }

  /** When a version was recorded: the signup itself, or noon of its day. */
  versionAt(version: CustomerVersion): string {
    return version.day === this.signupDay ? this.signupAt() : timestampOf(version.day, 12 * 3600 + (this.id % 3600));
  }

  deletedBy(day: number): boolean {
    return this.versionOn(day).deleted;
  }
}

// Word lists and fixed rows of the demo database. Pure constants, no I/O.

/** Sales regions: `region_id` is the 1-based position. */
export const REGIONS: readonly string[] = [
  "North",
  "South",
  "East",
  "West",
  "Central",
];

/** Cities, four per region in region order: city `(region_id - 1) * 4 + k`. */
export const CITIES: readonly string[] = [
  "Minneapolis",
  "Milwaukee",
  "Detroit",
  "Buffalo",
  "Atlanta",
  "Houston",
  "Nashville",
  "Miami",
  "Boston",
  "Philadelphia",
  "Baltimore",
  "Newark",
  "Seattle",
  "Portland",
  "Denver",
  "Phoenix",
  "Chicago",
  "St Louis",
  "Kansas City",
  "Omaha",
];

/** A product category: name, department and the highest list price in dollars. */
export interface Category {
  /** Category name. */
  name: string;
  /** Department the category belongs to. */
  department: string;
  /** Highest list price in whole dollars (prices end in .99). */
  maxDollars: number;
  /** Four product nouns of this category. */
  nouns: readonly [string, string, string, string];
}

/** Product categories: `category_id` is the 1-based position. */
export const CATEGORIES: readonly Category[] = [
  c(
    "Laptops",
    "Electronics",
    1800,
    "Laptop",
    "Notebook",
    "Ultrabook",
    "Chromebook",
  ),
  c(
    "Phones",
    "Electronics",
    1200,
    "Smartphone",
    "Phone Case",
    "Charger",
    "Screen Protector",
  ),
  c(
    "Audio",
    "Electronics",
    600,
    "Headphones",
    "Speaker",
    "Earbuds",
    "Soundbar",
  ),
  c("Kitchen", "Home", 300, "Blender", "Toaster", "Kettle", "Knife Set"),
  c("Furniture", "Home", 900, "Desk", "Chair", "Bookshelf", "Sofa"),
  c("Bedding", "Home", 200, "Pillow", "Duvet", "Sheet Set", "Blanket"),
  c("Menswear", "Apparel", 150, "Shirt", "Jacket", "Chinos", "Sweater"),
  c("Womenswear", "Apparel", 180, "Dress", "Blouse", "Skirt", "Cardigan"),
  c("Footwear", "Apparel", 220, "Sneakers", "Boots", "Sandals", "Loafers"),
  c(
    "Fitness",
    "Sports",
    250,
    "Yoga Mat",
    "Dumbbells",
    "Kettlebell",
    "Jump Rope",
  ),
  c("Outdoor", "Sports", 400, "Tent", "Backpack", "Sleeping Bag", "Lantern"),
  c("Toys", "Kids", 90, "Puzzle", "Building Set", "Doll", "Board Game"),
];

/** Adjectives that start product names. */
export const ADJECTIVES: readonly string[] = [
  "Classic",
  "Compact",
  "Deluxe",
  "Eco",
  "Essential",
  "Premium",
  "Pro",
  "Smart",
  "Ultra",
  "Urban",
];

/** Customer first names. */
export const FIRST_NAMES: readonly string[] = [
  "James",
  "Mary",
  "Robert",
  "Patricia",
  "John",
  "Jennifer",
  "Michael",
  "Linda",
  "David",
  "Elizabeth",
  "William",
  "Barbara",
  "Richard",
  "Susan",
  "Joseph",
  "Jessica",
  "Thomas",
  "Sarah",
  "Carlos",
  "Karen",
  "Wei",
  "Nancy",
  "Ahmed",
  "Lisa",
  "Daniel",
  "Priya",
  "Matthew",
  "Sofia",
  "Anthony",
  "Emily",
];

/** Customer last names. */
export const LAST_NAMES: readonly string[] = [
  "Smith",
  "Johnson",
  "Williams",
  "Brown",
  "Jones",
  "Garcia",
  "Miller",
  "Davis",
  "Rodriguez",
  "Martinez",
  "Hernandez",
  "Lopez",
  "Gonzalez",
  "Wilson",
  "Anderson",
  "Thomas",
  "Taylor",
  "Moore",
  "Jackson",
  "Martin",
  "Lee",
  "Perez",
  "Thompson",
  "White",
  "Harris",
  "Chen",
  "Patel",
  "Nguyen",
  "Kim",
  "Clark",
];

/** Promotion codes and the percent discount each gives on every line. */
export const PROMOS: readonly (readonly [string, number])[] = [
  ["SPRING10", 10],
  ["SUMMER15", 15],
  ["WELCOME5", 5],
  ["VIP20", 20],
  ["BLACKFRIDAY25", 25],
];

function c(
  name: string,
  department: string,
  maxDollars: number,
  ...nouns: [string, string, string, string]
): Category {
  return { name, department, maxDollars, nouns };
}
